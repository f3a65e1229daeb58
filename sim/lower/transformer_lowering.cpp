// Transformer lowering; see transformer_lowering.hpp.
#include "sim/lower/transformer_lowering.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "sim/graph/op_formulas.hpp"

namespace socsim {
namespace {

namespace F = formulas;

OpPart with_role(OpPart p, PartRole r) {
  p.role = r;
  return p;
}

class Lowerer {
 public:
  Lowerer(const LowerContext& ctx, const LoweringChoices& ch, TaskGraph& g)
      : ctx_(ctx), m_(ctx.model), ch_(ch), g_(g) {}

  OpId run() {
    if (!ctx_.workload.batch.empty()) return run_batch();
    const int64_t prompt = ctx_.workload.prompt, past = ctx_.workload.past;
    // Static shapes (pad_last_chunk) compute every chunk at the full chunk length, even a prompt
    // shorter than one chunk; otherwise a short prompt is one chunk of its own length.
    const int64_t chunk = ch_.chunk <= 0       ? prompt
                          : ch_.pad_last_chunk ? ch_.chunk
                                               : std::min(ch_.chunk, prompt);
    const int64_t chunks = prompt == 0 ? 0 : (prompt + chunk - 1) / chunk;
    // A decode continuation (prompt 0) computes every asked token in decode; otherwise the first
    // comes out of prefill.
    const int64_t steps =
        prompt == 0 ? ctx_.workload.gen : std::max<int64_t>(ctx_.workload.gen - 1, 0);
    const int64_t per_layer = ch_.granularity == Granularity::kOp      ? 10
                              : ch_.granularity == Granularity::kBlock ? 4
                                                                       : 1;
    const int64_t decode_per_layer =
        ch_.decode_ops_per_layer > 0 ? ch_.decode_ops_per_layer : per_layer;
    const auto ops = static_cast<size_t>(chunks * (m_.layers * per_layer + 2) +
                                         steps * (m_.layers * decode_per_layer + 2));
    g_.reserve(ops, ops * 12 / static_cast<size_t>(per_layer) + ops, ops * 2);

    // The ops that wrote each layer's KV cache (earlier prefill chunks; the last one in decode).
    std::vector<std::vector<OpId>> kv_writer(static_cast<size_t>(m_.layers));
    OpId last_prefill = kNone;
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t rows = ch_.pad_last_chunk ? chunk : std::min(chunk, prompt - c * chunk);
      tags_ = {Phase::kPrefill, static_cast<int32_t>(c), -1, static_cast<int32_t>(past + c * chunk),
               static_cast<int32_t>(std::min(chunk, prompt - c * chunk))};
      const OpPart embed = with_role(
          F::embedding(rows, m_.hidden, ch_.weight_dtype, m_.activation_dtype), PartRole::kEmbed);
      OpId x = stage(Stage::kEmbedding, -1, std::span<const OpPart>(&embed, 1),
                     std::span<const OpId>(ch_.entry_deps), name_id("embed"));
      // Rows of the last layer's FFN: all of them, or only the prompt's last token (0 in earlier
      // chunks) when the engine gathers the output rows first.
      ffn_rows_last_ = ch_.last_layer_output_rows_only ? (c + 1 == chunks ? 1 : 0) : -1;
      for (int64_t l = 0; l < m_.layers; ++l) x = layer(l, rows, past + c * chunk, x, kv_writer);
      ffn_rows_last_ = -1;
      last_prefill = x;
    }
    OpId logits = kNone, prefill_end = kNone;
    if (chunks > 0) {
      tags_.pos = static_cast<int32_t>(past + prompt - 1), tags_.rows = 1;
      logits = prefill_end = lm_head(last_prefill, "lm_head");
    }
    for (int64_t t = 0; t < steps; ++t) {
      tags_ = {Phase::kDecode, -1, static_cast<int32_t>(t), static_cast<int32_t>(past + prompt + t),
               1};
      const OpPart embed = with_role(
          F::embedding(1, m_.hidden, ch_.weight_dtype, m_.activation_dtype), PartRole::kEmbed);
      const std::span<const OpId> first_preds = logits == kNone
                                                    ? std::span<const OpId>(ch_.entry_deps)
                                                    : std::span<const OpId>(&logits, 1);
      OpId x = stage(Stage::kEmbedding, -1, std::span<const OpPart>(&embed, 1), first_preds,
                     name_id("embed"));
      for (int64_t l = 0; l < m_.layers; ++l) x = layer(l, 1, past + prompt + t, x, kv_writer);
      logits = lm_head(x, "lm_head");
    }
    return prefill_end;
  }

  // One forward pass over several sequences (sessions): per layer, the rows of every sequence that
  // runs it are fused in the linear stages (one weight read, as SARATHI's mixed batches and
  // layered prefill rely on) and attention has one part per sequence over its own context.
  OpId run_batch() {
    const std::vector<BatchSequence>& seqs = ctx_.workload.batch;
    auto end_of = [&](const BatchSequence& q) { return q.end_layer < 0 ? m_.layers : q.end_layer; };
    bool prefill = false;
    int64_t embed_rows = 0, logit_rows = 0, total = 0,
            first_pos = std::numeric_limits<int64_t>::max();
    for (const BatchSequence& q : seqs) {
      prefill = prefill || q.tokens > 1 || q.first_layer > 0 || end_of(q) < m_.layers;
      if (q.first_layer == 0) embed_rows += q.tokens;
      if (q.logits && end_of(q) == m_.layers) ++logit_rows;
      total += q.tokens;
      first_pos = std::min(first_pos, q.past);
    }
    tags_ = {prefill ? Phase::kPrefill : Phase::kDecode, prefill ? 0 : -1, prefill ? -1 : 0,
             static_cast<int32_t>(first_pos), static_cast<int32_t>(total)};
    const size_t ops = static_cast<size_t>(m_.layers * 10 + 2);
    g_.reserve(ops, ops * 12, ops * 2);
    OpId x = kNone;
    if (embed_rows > 0) {
      const OpPart embed =
          with_role(F::embedding(embed_rows, m_.hidden, ch_.weight_dtype, m_.activation_dtype),
                    PartRole::kEmbed);
      x = stage(Stage::kEmbedding, -1, std::span<const OpPart>(&embed, 1),
                std::span<const OpId>(ch_.entry_deps), name_id("embed"));
    }
    std::vector<OpPart> attention;
    for (int64_t l = 0; l < m_.layers; ++l) {
      int64_t rows = 0;
      attention.clear();
      for (const BatchSequence& q : seqs) {
        if (l < q.first_layer || l >= end_of(q)) continue;
        rows += q.tokens;
        attention.push_back(
            with_role(F::attention(q.tokens, q.past, m_.heads, m_.kv_heads, m_.head_dim,
                                   ch_.attention_dtype, m_.activation_dtype, m_.kv_dtype),
                      PartRole::kAttention));
      }
      if (rows == 0) continue;
      tags_.rows = static_cast<int32_t>(rows);
      x = batch_layer(l, rows, attention, x);
    }
    if (logit_rows > 0) x = lm_head(x, "lm_head", logit_rows);
    return x;
  }

  OpId batch_layer(int64_t l, int64_t rows, std::span<const OpPart> attention, OpId in) {
    const LayerParts& lp = layer_parts(l, rows);
    const std::span<const OpPart> ins = lp.attn_in;
    if (ch_.granularity == Granularity::kLayer) {
      scratch_.assign(ins.begin(), ins.end());
      scratch_.insert(scratch_.end(), attention.begin(), attention.end());
      scratch_.insert(scratch_.end(), lp.attn_out.begin(), lp.attn_out.end());
      scratch_.insert(scratch_.end(), lp.ffn.begin(), lp.ffn.end());
      return stage(Stage::kAttnIn, l, scratch_, {in}, lname(l, kLayerName));
    }
    const OpId in_op = stage(Stage::kAttnIn, l, lp.attn_in, {in}, lname(l, kAttnInName));
    const OpId attn = stage(Stage::kAttention, l, attention, {in_op}, lname(l, kAttentionName));
    const OpId out = stage(Stage::kAttnOut, l, lp.attn_out, {attn}, lname(l, kAttnOutName));
    return ffn_stage(l, lp, out);
  }

 private:
  static constexpr OpId kNone = UINT32_MAX;
  struct Tags {
    Phase phase;
    int32_t chunk;
    int32_t token;
    int32_t pos;
    int32_t rows;
  };

  OpId stage(Stage s, int64_t layer, std::span<const OpPart> parts, std::span<const OpId> preds,
             uint32_t nid) {
    preds_buf_.clear();
    for (OpId p : preds)
      if (p != kNone) preds_buf_.push_back(p);
    if (s != Stage::kEmbedding) preds_buf_.insert(preds_buf_.end(), carry_.begin(), carry_.end());
    carry_.clear();
    Op op;
    op.phase = tags_.phase;
    op.chunk = tags_.chunk;
    op.token = tags_.token;
    op.pos = tags_.pos;
    op.rows = tags_.rows;
    op.layer = static_cast<int32_t>(layer);
    op.place = ch_.place(s, tags_.phase);
    if (ch_.before_stage) {
      before_buf_ = ch_.before_stage(s, op, parts, preds_buf_, g_);
      preds_buf_.insert(preds_buf_.end(), before_buf_.begin(), before_buf_.end());
    }
    if (ch_.replace_stage && replaceable(s)) {
      std::vector<OpId> ends = ch_.replace_stage(s, op, preds_buf_, parts, g_);
      if (!ends.empty()) {
        carry_.assign(ends.begin() + 1, ends.end());
        return ends.front();
      }
    }
    if (ch_.granularity != Granularity::kOp || parts.size() == 1) {
      op.kind = dominant(parts);
      op.rank = static_cast<int64_t>(g_.size());
      op.launches = static_cast<uint16_t>(ch_.launch_per_part ? parts.size() : 1);
      return g_.add(op, parts, preds_buf_, nid);
    }
    const std::string name = g_.names()[nid];  // a copy: add() may grow the name table
    OpId prev = kNone;
    for (size_t i = 0; i < parts.size(); ++i) {
      op.kind = parts[i].kind;
      op.rank = static_cast<int64_t>(g_.size());
      if (i > 0) preds_buf_.assign(1, prev);
      prev = g_.add(op, parts.subspan(i, 1), preds_buf_,
                    fmt::format("{}.{}", name, kOpKindNames[static_cast<size_t>(parts[i].kind)]));
    }
    return prev;
  }
  OpId stage(Stage s, int64_t layer, std::span<const OpPart> parts,
             std::initializer_list<OpId> preds, uint32_t nid) {
    return stage(s, layer, parts, std::span<const OpId>(preds.begin(), preds.size()), nid);
  }

  static OpKind dominant(std::span<const OpPart> parts) {
    for (const OpPart& p : parts)
      if (p.kind == OpKind::kAttention) return OpKind::kAttention;
    for (const OpPart& p : parts)
      if (p.kind == OpKind::kMatmul) return OpKind::kMatmul;
    return parts.front().kind;
  }

  // The names of a layer's stages, "L3.ffn" and so on: each interned at its first use (the graph's
  // name table keeps the order of first use) and then looked up by index.
  enum LayerName : uint8_t { kLayerName, kAttnInName, kAttentionName, kAttnOutName, kFfnName };
  static constexpr std::array<std::string_view, 5> kLayerNames{"layer", "attn_in", "attention",
                                                               "attn_out", "ffn"};
  uint32_t lname(int64_t l, LayerName what) {
    std::vector<uint32_t>& ids = layer_name_ids_[what];
    if (ids.empty()) ids.assign(static_cast<size_t>(m_.layers), kNoName);
    uint32_t& id = ids[static_cast<size_t>(l)];
    if (id == kNoName) id = g_.intern(fmt::format("L{}.{}", l, kLayerNames[what]));
    return id;
  }
  // A name outside the layers ("embed", "lm_head").
  uint32_t name_id(std::string_view name) {
    const auto it = name_ids_.find(name);
    return it != name_ids_.end()
               ? it->second
               : name_ids_.emplace(std::string(name), g_.intern(name)).first->second;
  }

  // The parts of a layer other than attention depend only on the layer and the row count, so they
  // are built once per (layer, rows) and reused by every decode step.
  struct LayerParts {
    int64_t rows = -1;
    std::vector<OpPart> attn_in, attn_out, ffn;
  };
  const LayerParts& layer_parts(int64_t l, int64_t rows) {
    LayerParts& lp = layer_parts_[static_cast<size_t>(l)];
    if (lp.rows == rows) return lp;
    const DType a = m_.activation_dtype, w = ch_.weight_dtype, e = ch_.elementwise_dtype;
    OpPart qkv = F::matmul(rows, m_.hidden, m_.q_dim() + 2 * m_.kv_dim(), ch_.matmul_dtype, w, a);
    qkv.kv_written = static_cast<double>(rows) * 2.0 * static_cast<double>(m_.kv_dim()) *
                     plain_bits(m_.kv_dtype) / 8.0;
    lp.rows = rows;
    lp.attn_in = {with_role(F::norm(rows, m_.hidden, m_.norm, e, a, w), PartRole::kAttnNorm),
                  with_role(qkv, PartRole::kQkv),
                  with_role(F::rope(rows, m_.q_dim() + m_.kv_dim(), e, a), PartRole::kRope)};
    lp.attn_out = {
        with_role(F::matmul(rows, m_.q_dim(), m_.hidden, ch_.matmul_dtype, w, a), PartRole::kOProj),
        with_role(F::add(rows, m_.hidden, e, a), PartRole::kAttnResidual)};
    lp.ffn = ffn_parts(l, rows);
    return lp;
  }

  // Attention of a chunk reads the keys and values of every earlier position, so it waits for the
  // KV-writing op of every earlier prefill chunk of its layer (mllm-NPU: G(i,j) waits for
  // G(0..i-1, j-1)). A decode step already waits for the whole previous token through its input.
  OpId layer(int64_t l, int64_t rows, int64_t past, OpId in,
             std::vector<std::vector<OpId>>& kv_writers) {
    const LayerParts& cached = layer_parts(l, rows);
    const LayerParts* parts = &cached;
    LayerParts gathered;  // the last layer with its FFN on the output rows only
    if (ffn_rows_last_ >= 0 && l + 1 == m_.layers) {
      gathered = cached;
      gathered.ffn = ffn_rows_last_ > 0 ? ffn_parts(l, ffn_rows_last_) : std::vector<OpPart>{};
      parts = &gathered;
    }
    const LayerParts& lp = *parts;
    const OpPart attention =
        with_role(F::attention(rows, past, m_.heads, m_.kv_heads, m_.head_dim, ch_.attention_dtype,
                               m_.activation_dtype, m_.kv_dtype),
                  PartRole::kAttention);
    std::vector<OpId>& writers = kv_writers[static_cast<size_t>(l)];
    if (tags_.phase == Phase::kDecode && writers.size() > 1)
      writers.erase(writers.begin(), writers.end() - 1);
    if (ch_.granularity == Granularity::kLayer) {
      scratch_.assign(lp.attn_in.begin(), lp.attn_in.end());
      scratch_.push_back(attention);
      scratch_.insert(scratch_.end(), lp.attn_out.begin(), lp.attn_out.end());
      scratch_.insert(scratch_.end(), lp.ffn.begin(), lp.ffn.end());
      deps_.assign(writers.begin(), writers.end());
      deps_.push_back(in);
      const OpId op =
          stage(Stage::kAttnIn, l, scratch_, std::span<const OpId>(deps_), lname(l, kLayerName));
      writers.push_back(op);
      return op;
    }
    if (ch_.fuse_decode_attention && tags_.phase == Phase::kDecode) {
      scratch_.assign(lp.attn_in.begin(), lp.attn_in.end());
      scratch_.push_back(attention);
      scratch_.insert(scratch_.end(), lp.attn_out.begin(), lp.attn_out.end());
      deps_.assign(writers.begin(), writers.end());
      deps_.push_back(in);
      const OpId att = stage(Stage::kAttnIn, l, scratch_, std::span<const OpId>(deps_),
                             lname(l, kAttentionName));
      writers.push_back(att);
      return ffn_stage(l, lp, att);
    }
    const OpId in_op = stage(Stage::kAttnIn, l, lp.attn_in, {in}, lname(l, kAttnInName));
    deps_.assign(writers.begin(), writers.end());
    deps_.push_back(in_op);
    writers.push_back(in_op);
    const OpId attn = stage(Stage::kAttention, l, std::span<const OpPart>(&attention, 1),
                            std::span<const OpId>(deps_), lname(l, kAttentionName));
    const OpId out = stage(Stage::kAttnOut, l, lp.attn_out, {attn}, lname(l, kAttnOutName));
    return ffn_stage(l, lp, out);
  }

  OpId ffn_stage(int64_t l, const LayerParts& lp, OpId out) {
    if (lp.ffn.empty()) return out;
    return stage(Stage::kFfn, l, lp.ffn, {out}, lname(l, kFfnName));
  }

  // Stages a policy may replace: the blocks of a layer at block granularity other than a prefill
  // chunk's attention (attn_in, attn_out, ffn, and a decode step's fused attention block).
  bool replaceable(Stage s) const {
    return ch_.granularity == Granularity::kBlock &&
           (s == Stage::kAttnIn || s == Stage::kAttnOut || s == Stage::kFfn);
  }

  std::vector<OpPart> ffn_parts(int64_t l, int64_t rows) const {
    const DType a = m_.activation_dtype, w = ch_.weight_dtype, e = ch_.elementwise_dtype,
                c = ch_.matmul_dtype;
    std::vector<OpPart> parts{
        with_role(F::norm(rows, m_.hidden, m_.norm, e, a, w), PartRole::kFfnNorm)};
    const int64_t up_width = (m_.gated ? 2 : 1) * m_.ffn;
    // Rows that reach each expert's matmuls, and the share of an expert's weights read.
    int64_t expert_rows = rows;
    double experts_read = 1.0;
    if (m_.has_moe) {
      parts.push_back(
          with_role(F::moe_router(rows, m_.hidden, m_.moe.experts, e, a), PartRole::kRouter));
      expert_rows = rows * m_.moe.experts_per_token;
      experts_read = F::experts_touched(rows, m_.moe.experts_per_token, m_.moe.experts);
    }
    double active = 1.0, weight_share = 1.0;
    if (ch_.exploit_sparsity && m_.has_sparsity) {
      active = m_.ffn_active_fraction(l);
      weight_share = 1.0 - std::pow(1.0 - active, static_cast<double>(rows));  // union over rows
    }
    auto scaled = [&](OpPart p) {
      p.weight_bytes *= experts_read * weight_share;
      p.flops *= active;
      return p;
    };
    parts.push_back(
        with_role(scaled(F::matmul(expert_rows, m_.hidden, up_width, c, w, a)), PartRole::kGateUp));
    parts.push_back(with_role(F::activation(expert_rows, m_.ffn, m_.activation, m_.gated, e, a),
                              PartRole::kAct));
    parts.push_back(
        with_role(scaled(F::matmul(expert_rows, m_.ffn, m_.hidden, c, w, a)), PartRole::kDown));
    parts.push_back(with_role(F::add(rows, m_.hidden, e, a), PartRole::kFfnResidual));
    return parts;
  }

  OpId lm_head(OpId in, std::string_view name, int64_t rows = 1) {
    const DType a = m_.activation_dtype;
    const std::array<OpPart, 2> parts{
        with_role(F::norm(rows, m_.hidden, m_.norm, ch_.elementwise_dtype, a, ch_.weight_dtype),
                  PartRole::kFinalNorm),
        with_role(F::matmul(rows, m_.hidden, m_.vocab, ch_.matmul_dtype, ch_.weight_dtype, a),
                  PartRole::kLmHead)};
    return stage(Stage::kLmHead, -1, parts, {in}, name_id(name));
  }

  const LowerContext& ctx_;
  const ModelSpec& m_;
  const LoweringChoices& ch_;
  TaskGraph& g_;
  Tags tags_{Phase::kPrefill, -1, -1, 0, 0};
  static constexpr uint32_t kNoName = UINT32_MAX;
  std::array<std::vector<uint32_t>, kLayerNames.size()> layer_name_ids_;
  std::map<std::string, uint32_t, std::less<>> name_ids_;
  std::vector<LayerParts> layer_parts_ = std::vector<LayerParts>(static_cast<size_t>(m_.layers));
  std::vector<OpPart> scratch_;
  int64_t ffn_rows_last_ = -1;  // >= 0: rows of the last layer's FFN in this prefill chunk
  std::vector<OpId> preds_buf_;
  std::vector<OpId> deps_;
  std::vector<OpId> carry_;  // further ops of a replaced stage the next stage waits for
  std::vector<OpId> before_buf_;
};

}  // namespace

OpId lower_transformer(const LowerContext& ctx, const LoweringChoices& choices, TaskGraph& g) {
  return Lowerer(ctx, choices, g).run();
}

}  // namespace socsim
