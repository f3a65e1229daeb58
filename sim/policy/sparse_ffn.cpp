// Sparse offloaded FFN lowering; see sparse_ffn.hpp.
#include "sim/policy/sparse_ffn.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "sim/graph/op_formulas.hpp"
#include "sim/policy/placement.hpp"

namespace socsim {
namespace {

constexpr OpId kNoOp = UINT32_MAX;

OpPart role(OpPart p, PartRole r) {
  p.role = r;
  return p;
}

}  // namespace

SparseFfnLowering::SparseFfnLowering(const ModelSpec& m, SparseFfnOptions o,
                                     std::unique_ptr<ActivationSource> src,
                                     std::unique_ptr<NeuronCache> cache, BundleLayout layout,
                                     bool prefetch)
    : m_(m), o_(o), src_(std::move(src)), cache_(std::move(cache)), layout_(layout) {
  if (!prefetch) return;
  auto p = std::make_unique<PrefetchedActivations>(
      std::move(src_), 4,
      [this](int64_t layer, int32_t e, std::span<const uint32_t> active,
             std::vector<uint32_t>& extra) { return predict(layer, e, active, extra); });
  prefetched_ = p.get();
  src_ = std::move(p);
}

SparseFfnLowering::~SparseFfnLowering() {
  src_.reset();
}

// The predictor's false positives: the hottest inactive cold neurons (those it rates most
// likely), predictor_extra of the active count. Predicted = active + these. The inactive ids are
// the gaps between consecutive active ids; the fully active prefix (the hottest ranks fire on
// every token) is skipped by binary search, so the cost is O(log n + extras), not O(prefix).
static void false_positives(std::span<const uint32_t> active, double extra, uint32_t first_cold,
                            uint32_t neurons, std::vector<uint32_t>& extra_ids) {
  auto want = static_cast<int64_t>(std::llround(extra * static_cast<double>(active.size())));
  extra_ids.clear();
  if (want <= 0) return;
  const auto from = std::lower_bound(active.begin(), active.end(), first_cold);
  // Sorted distinct ids: active[from + i] == first_cold + i exactly on the complete prefix.
  size_t lo = 0, hi = static_cast<size_t>(active.end() - from);
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (from[static_cast<std::ptrdiff_t>(mid)] == first_cold + mid)
      lo = mid + 1;
    else
      hi = mid;
  }
  extra_ids.resize(static_cast<size_t>(want));
  uint32_t* out = extra_ids.data();
  uint32_t* const out_end = out + want;
  const uint32_t* a = active.data() + (from - active.begin()) + lo;
  const uint32_t* const a_end = active.data() + active.size();
  uint32_t id = first_cold + static_cast<uint32_t>(lo);  // first id not known to be active
  while (out != out_end && id < neurons) {
    const uint32_t gap_end = a != a_end ? *a : neurons;  // ids [id, gap_end) are inactive
    while (id < gap_end && out != out_end) *out++ = id++;
    if (a == a_end) break;
    id = *a++ + 1;
  }
  extra_ids.resize(static_cast<size_t>(out - extra_ids.data()));
}

std::vector<OpPart> SparseFfnLowering::predictor_parts(const ModelSpec& m,
                                                       const SparseFfnOptions& o, int64_t experts) {
  const DType a = m.activation_dtype, w = m.weight_dtype;
  std::vector<OpPart> parts{
      role(formulas::norm(1, m.hidden, m.norm, DType::kFp16, a, w), PartRole::kFfnNorm),
      formulas::matmul(1, m.hidden, o.predictor_rank * experts, DType::kFp16, DType::kFp16, a),
      formulas::matmul(1, o.predictor_rank * experts, m.ffn, DType::kFp16, DType::kFp16, a)};
  if (m.has_moe)
    parts.push_back(
        role(formulas::moe_router(1, m.hidden, m.moe.experts, DType::kFp32, a), PartRole::kRouter));
  return parts;
}

int64_t SparseFfnLowering::max_ops_per_layer(const SparseFfnOptions& o) {
  // predict, hot.read and hot.npu, mem.cpu, four ops per pipeline cluster (or the four of the
  // matrix-level path), ffn.out.
  const int64_t clusters = o.pipeline ? std::max<int64_t>(o.pipeline_depth, 1) : 1;
  return std::min<int64_t>(5 + 4 * clusters, 32);
}

uint32_t SparseFfnLowering::npu_dense(int64_t layer, int32_t e) const {
  if (!o_.hybrid || !cache_) return 0u;
  const auto hot = static_cast<uint32_t>(cache_->hot_limit(layer, e));
  return o_.npu_neurons < 0 ? hot : std::min(hot, static_cast<uint32_t>(o_.npu_neurons));
}

uint32_t SparseFfnLowering::predict(int64_t layer, int32_t e, std::span<const uint32_t> active,
                                    std::vector<uint32_t>& extra) const {
  const uint32_t hot = npu_dense(layer, e);
  if (o_.predictor_recall < 1.0) {  // the coldest active neurons go unpredicted
    const auto hot_end = std::lower_bound(active.begin(), active.end(), hot);
    const auto cold = static_cast<double>(active.end() - hot_end);
    const auto keep = static_cast<size_t>(std::ceil(o_.predictor_recall * cold));
    active = active.first(static_cast<size_t>(hot_end - active.begin()) + keep);
  }
  false_positives(active, o_.predictor_extra, hot, static_cast<uint32_t>(layout_.neurons), extra);
  return static_cast<uint32_t>(active.size());
}

SparseFfnLowering::Counts SparseFfnLowering::replay(int64_t layer) {
  Counts c;
  std::vector<uint32_t> cluster_ids;
  for (int32_t e : src_->experts(layer)) {
    std::span<const uint32_t> active = src_->active(layer, e), extra;
    if (prefetched_) {
      active = active.first(prefetched_->derived_count(layer, e));
      extra = prefetched_->derived_ids(layer, e);
    } else {
      active = active.first(predict(layer, e, active, extra_));
      extra = extra_;
    }
    const uint32_t hot = npu_dense(layer, e);  // the NPU's dense share: every neuron below it
    const uint32_t first_cold = hot;
    ++c.experts;
    // CPU work: predicted (Gate) and active (Up/Down) neurons outside the NPU's dense part.
    const auto act_cold = std::lower_bound(active.begin(), active.end(), first_cold);
    const auto cold_active = active.end() - act_cold;
    c.gate += cold_active + static_cast<int64_t>(extra.size());
    c.up_down += cold_active;
    auto merged = [&] {  // the predicted list, for the paths that walk it
      predicted_.resize(active.size() + extra.size());
      std::merge(active.begin(), active.end(), extra.begin(), extra.end(), predicted_.begin());
      return std::span<const uint32_t>(predicted_);
    };
    c.hot_neurons += hot;
    if (o_.window > 0) {  // sliding window: hit if loaded within the last `window` tokens
      const size_t base =
          static_cast<size_t>((layer * src_->shape().experts + e) * layout_.neurons);
      if (last_active_.empty())
        last_active_.assign(
            static_cast<size_t>(src_->shape().layers * src_->shape().experts * layout_.neurons),
            INT32_MIN / 2);
      int64_t miss_active = 0, miss_gate = 0;
      size_t ai = 0;
      for (uint32_t id : merged()) {
        while (ai < active.size() && active[ai] < id) ++ai;
        const bool on = ai < active.size() && active[ai] == id;
        int32_t& stamp = last_active_[base + id];
        const bool hit = stamp >= token_ - static_cast<int32_t>(o_.window);
        ++window_accesses_;
        window_hits_ += hit;
        if (!hit) (on ? miss_active : miss_gate) += 1;
        if (on) stamp = token_;
      }
      c.reads += plan_bundle_reads(layout_, miss_active, miss_gate, 0, 0);
      continue;
    }
    if (!o_.cache || !cache_) {
      c.reads += plan_uncached_reads(layout_, merged(), active);
      continue;
    }
    // One matrix per (layer, expert): its accesses' plans share one file span.
    auto same_matrix = [](BundlePlan p) {
      p.span = 0;
      return p;
    };
    if (hot > 0) {  // the NPU reads every hot cluster it runs: touch one id per cluster
      cluster_ids.clear();
      for (uint32_t id = 0; id < hot; id += static_cast<uint32_t>(layout_.cluster_size))
        cluster_ids.push_back(id);
      c.reads += same_matrix(plan_bundle_reads(layout_, cache_->access(layer, e, cluster_ids)));
    }
    // The active cold neurons, then the false positives as Gate-only accesses (a miss reads the
    // Gate part and is not admitted): two accesses, so no merged list per expert and token.
    const std::span<const uint32_t> cold(act_cold, active.end());
    c.reads += plan_bundle_reads(layout_, cache_->access(layer, e, cold));
    if (!extra.empty())
      c.reads += same_matrix(plan_bundle_reads(layout_, cache_->access(layer, e, extra, {})));
  }
  c.flash_gate = c.reads.gate.count + c.reads.whole.count;
  c.flash_up_down = c.reads.up_down.count + c.reads.whole.count;
  if (o_.fault_request > 0) {  // page faults: one read-around per missed row, matrices separate
    const int64_t rows = c.reads.gate.count + c.reads.whole.count +
                         2 * (c.reads.up_down.count + c.reads.whole.count);
    const double bytes = static_cast<double>(rows) * o_.fault_request;
    c.reads.gate = {rows, o_.fault_request, bytes};
    c.reads.up_down = c.reads.whole = {};
    return c;
  }
  if (!o_.bundled) {  // Gate, Up and Down in three matrices: one row read per matrix and neuron
    const double row =
        std::ceil(ffn_row_bytes(m_.hidden, m_.weight_dtype) / kFlashPage) * kFlashPage;
    const int64_t gate = c.reads.gate.count + c.reads.whole.count;
    const int64_t up_down = c.reads.up_down.count + c.reads.whole.count;
    c.reads.gate = {gate, row, static_cast<double>(gate) * row};
    c.reads.up_down = {2 * up_down, row, 2.0 * static_cast<double>(up_down) * row};
    c.reads.whole = {};
  }
  return c;
}

uint32_t SparseFfnLowering::name_id(TaskGraph& g, const char* name) {
  if (named_graph_ != &g) named_graph_ = &g, names_.clear();
  for (const auto& [at, id] : names_)
    if (at == name) return id;
  names_.emplace_back(name, g.intern(name));
  return names_.back().second;
}

OpId SparseFfnLowering::add(TaskGraph& g, Op op, std::span<const OpPart> parts,
                            std::span<const OpId> preds, const char* name) {
  op.rank = static_cast<int64_t>(g.size());
  return g.add(op, parts, preds, name_id(g, name));
}

namespace {

// The parts of one op built here: at most Gate, Up and Down, then the FFN's markers and residual.
struct PartList {
  std::array<OpPart, 7> part;
  size_t count = 0;
  void push(const OpPart& p) { part[count++] = p; }
  std::span<const OpPart> span() const { return {part.data(), count}; }
};

std::span<const OpId> one(const OpId& id) {
  return {&id, 1};
}

}  // namespace

std::vector<OpId> SparseFfnLowering::lower(const Op& tags, std::span<const OpId> preds,
                                           TaskGraph& g) {
  if (tags.token != token_) {
    src_->next_token();
    token_ = tags.token;
    ++tokens_;
  }
  const int64_t layer = tags.layer;
  const Counts c = replay(layer);
  const DType a = m_.activation_dtype, w = m_.weight_dtype, cd = o_.compute_dtype;
  // The layer's input ops (preds may point into the graph's storage, which adding ops moves).
  const OpId first_in = preds.empty() ? kNoOp : preds.front();
  const std::vector<OpId> in(preds.begin(), preds.end());

  Op base = tags;
  base.kind = OpKind::kMatmul;
  // FFN norm, router and predictor on the CPU.
  Op pr = base;
  pr.place = o_.compute;
  const OpId predict_op = add(g, pr, predictor_parts(m_, o_, c.experts), in, "predict");

  auto read_op = [&](const ReadGroup& r, double span, std::span<const OpId> deps,
                     const char* name) {
    Op op = base;
    op.kind = OpKind::kFlashRead;
    op.place = single_core(o_.io);
    op.lane = kIoThreadLane;  // the I/O thread; blocking readers below run on compute threads
    // Page faults stall the compute threads, one request each; blocking reads of a reader thread
    // pool keep one request per reader outstanding while the compute threads wait for them.
    if (o_.fault_request > 0 || o_.read_threads > 0) {
      op.place = o_.compute;
      op.lane = 0;
      op.flash_depth = static_cast<uint16_t>(
          o_.read_threads > 0 ? o_.read_threads : std::max(1, cores_of(o_.compute)));
    }
    op.flash_bytes = r.bytes;
    op.flash_request = r.request;
    op.flash_span = span;
    op.compute_scale = span > 0 ? o_.io_slowdown : 1.0;
    flash_bytes_ += r.bytes;
    return add(g, op, {}, deps, name);
  };
  auto ffn_parts = [&](int64_t gate, int64_t up_down, double share) {
    const auto n_gate = static_cast<int64_t>(std::ceil(share * static_cast<double>(gate)));
    const auto n_ud = static_cast<int64_t>(std::ceil(share * static_cast<double>(up_down)));
    PartList p;
    if (n_gate > 0) p.push(formulas::matmul(1, m_.hidden, n_gate, cd, w, a));
    if (n_ud > 0) {
      p.push(formulas::matmul(1, m_.hidden, n_ud, cd, w, a));  // Up
      p.push(formulas::matmul(1, n_ud, m_.hidden, cd, w, a));  // Down
    }
    return p;
  };

  // Dense hot part on the NPU after its missed clusters arrive. The hot clusters need no
  // prediction, so the I/O core prefetches them while the layer's attention runs (PowerInfer-2
  // section 4.4): their read waits only for what the attention block waits for.
  OpId npu_op = kNoOp;
  if (c.hot_neurons > 0) {
    std::array<OpId, 2> deps{predict_op, kNoOp};
    size_t n_deps = 1;
    if (c.reads.cluster.bytes > 0) {
      deps_.clear();
      if (first_in != kNoOp) deps_.assign(g.preds(first_in).begin(), g.preds(first_in).end());
      deps[n_deps++] = read_op(c.reads.cluster, 0, deps_, "hot.read");
    }
    Op npu = base;
    npu.place = o_.npu;
    const std::array<OpPart, 2> parts{
        formulas::matmul(1, m_.hidden, (m_.gated ? 2 : 1) * c.hot_neurons, DType::kInt8, w, a),
        formulas::matmul(1, c.hot_neurons, m_.hidden, DType::kInt8, w, a)};
    npu_op = add(g, npu, parts, std::span<const OpId>(deps.data(), n_deps), "hot.npu");
  }
  // Cold path on the CPU; its last op also sums the NPU's part and adds the residual. For
  // functional execution (socsim verify) that op carries the FFN's roles as zero-cost markers:
  // the executor computes the FFN there, densely, which is what a perfect predictor computes.
  ReadGroup gate = c.reads.gate, rest = c.reads.up_down;
  if (c.reads.whole.count > 0) gate = c.reads.whole;  // whole bundles: one read per neuron
  // Each layer's bundles are contiguous in the file, so its random reads stay within that matrix
  // (PowerInfer-2 section 2.3.2: random-read throughput depends on the range the reads fall in,
  // "making data locality crucial"; the layout by neuron position keeps a layer's reads local).
  const double span = c.reads.span;
  Op cpu = base;
  cpu.place = o_.compute;
  // `deps_` holds the finishing op's predecessors when it is called.
  auto finish = [&](PartList parts, const char* name) {
    for (PartRole r : {PartRole::kGateUp, PartRole::kAct, PartRole::kDown}) {
      OpPart marker;
      marker.kind = OpKind::kMatmul;
      marker.dtype = cd;
      marker.role = r;
      parts.push(marker);
    }
    parts.push(role(formulas::add(1, m_.hidden, DType::kFp16, a), PartRole::kFfnResidual));
    if (npu_op != kNoOp) deps_.push_back(npu_op);
    return add(g, cpu, parts.span(), deps_, name);
  };
  deps_.clear();
  if (c.gate + c.up_down == 0) {
    deps_.push_back(predict_op);
    return {finish({}, "ffn.out")};
  }
  if (!o_.pipeline) {
    OpId d = predict_op;
    if (gate.bytes > 0) d = read_op(gate, span, one(predict_op), "gate.read");
    const OpId gc = add(g, cpu, ffn_parts(c.gate, 0, 1.0).span(), one(d), "gate.cpu");
    OpId d2 = gc;
    if (rest.bytes > 0) d2 = read_op(rest, span, one(gc), "updown.read");
    deps_.push_back(d2);
    return {finish(ffn_parts(0, c.up_down, 1.0), "updown.cpu")};
  }
  pipeline(g, c, gate, rest, span, predict_op, read_op, ffn_parts, cpu, deps_);
  return {finish({}, "ffn.out")};
}

template <class ReadOp, class Parts>
void SparseFfnLowering::pipeline(TaskGraph& g, const Counts& c, const ReadGroup& gate,
                                 const ReadGroup& rest, double span, OpId predict_op,
                                 ReadOp& read_op, Parts& ffn_parts, const Op& cpu,
                                 std::vector<OpId>& ends) {
  // PowerInfer-2's neuron-cluster pipeline (section 4.3, Fig. 6): the cold neurons found in DRAM
  // are computed as soon as the predictor has run, while the flash-resident ones go through five
  // stages per cluster: predict -> Gate I/O -> Gate compute -> Up/Down I/O -> Up/Down compute.
  // One I/O core serves every read in turn; the compute cores take whatever cluster is ready, so
  // one cluster's reads overlap other clusters' compute (of this matrix or of the cached ones).
  const int64_t mem_gate = c.gate - c.flash_gate, mem_ud = c.up_down - c.flash_up_down;
  if (mem_gate + mem_ud > 0)
    ends.push_back(
        add(g, cpu, ffn_parts(mem_gate, mem_ud, 1.0).span(), one(predict_op), "mem.cpu"));
  const int64_t k = std::clamp<int64_t>(c.flash_gate, 1, std::max<int64_t>(o_.pipeline_depth, 1));
  const bool whole = c.reads.whole.count > 0;  // unsplit bundles: Up/Down arrive with the Gate
  auto share = [k](const ReadGroup& r, int64_t i) {  // cluster i's part of a read group
    ReadGroup part = r;
    part.count = r.count * (i + 1) / k - r.count * i / k;
    part.bytes = static_cast<double>(part.count) * r.request;
    return part;
  };
  auto cluster = [k](int64_t n, int64_t i) { return n * (i + 1) / k - n * i / k; };
  for (int64_t i = 0; i < k && c.flash_gate > 0; ++i) {
    const ReadGroup gi = share(gate, i);
    const int64_t n_gate = cluster(c.flash_gate, i), n_ud = cluster(c.flash_up_down, i);
    OpId at = gi.bytes > 0 ? read_op(gi, span, one(predict_op), "gate.read") : predict_op;
    if (whole) {
      ends.push_back(add(g, cpu, ffn_parts(n_gate, n_ud, 1.0).span(), one(at), "cluster.cpu"));
      continue;
    }
    at = add(g, cpu, ffn_parts(n_gate, 0, 1.0).span(), one(at), "gate.cpu");
    const ReadGroup ri = share(rest, i);
    if (ri.bytes > 0) at = read_op(ri, span, one(at), "updown.read");
    if (n_ud > 0) at = add(g, cpu, ffn_parts(0, n_ud, 1.0).span(), one(at), "updown.cpu");
    ends.push_back(at);
  }
  if (ends.empty()) ends.push_back(predict_op);
}

}  // namespace socsim
