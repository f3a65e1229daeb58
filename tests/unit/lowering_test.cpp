// Lowering and formula rules: FLOP/byte formulas by hand, chunked prefill doing the same work as
// whole-prompt prefill, decode attention reading a growing KV cache, granularities preserving the
// totals, the dependency structure of chunks and decode steps, and MoE expert counting.
#include <gtest/gtest.h>

#include "sim/graph/op_formulas.hpp"
#include "sim/lower/transformer_lowering.hpp"

using namespace socsim;
namespace F = socsim::formulas;

namespace {

ModelSpec tiny_model() {
  ModelSpec m;
  m.name = "tiny";
  m.layers = 2, m.hidden = 64, m.heads = 4, m.kv_heads = 2, m.head_dim = 16, m.ffn = 128,
  m.vocab = 1000;
  m.gated = true;
  m.weight_dtype = DType::kInt8;
  return m;
}

struct Lowered {
  TaskGraph g;
  OpId prefill_end;
};

Lowered lower(const ModelSpec& m, int64_t prompt, int64_t gen, int64_t chunk, Granularity gran) {
  static HwSpec hw;
  static PlatformSpec pf;
  Workload w{prompt, gen, kUnset, kUnset, 0, {}};
  LowerContext ctx{m, hw, pf, w};
  LoweringChoices ch;
  ch.place = [](Stage, Phase) { return Placement{1, {0, 0, 0}, {1, 0, 0}}; };
  ch.chunk = chunk;
  ch.granularity = gran;
  Lowered out;
  out.prefill_end = lower_transformer(ctx, ch, out.g);
  out.g.build_successors();
  return out;
}

double phase_flops(const TaskGraph& g, Phase ph) {
  double f = 0;
  for (OpId i = 0; i < g.size(); ++i)
    if (g.op(i).phase == ph)
      for (const OpPart& p : g.parts(i)) f += p.flops;
  return f;
}

}  // namespace

TEST(Formulas, MatmulByHand) {
  OpPart p = F::matmul(64, 2048, 2048, DType::kInt8, DType::kInt8, DType::kFp16);
  EXPECT_DOUBLE_EQ(p.flops, 2.0 * 64 * 2048 * 2048);
  EXPECT_DOUBLE_EQ(p.weight_bytes, 2048.0 * 2048 * 8.5 / 8);  // Q8_0 storage incl. scales
  EXPECT_DOUBLE_EQ(p.act_read, 64.0 * 2048 * 2);
  EXPECT_DOUBLE_EQ(p.act_written, 64.0 * 2048 * 2);
}

TEST(Formulas, CausalAttentionPairs) {
  EXPECT_DOUBLE_EQ(F::causal_pairs(4, 0), 10.0);  // 1+2+3+4
  EXPECT_DOUBLE_EQ(F::causal_pairs(2, 3), 4.0 + 5.0);
  OpPart a = F::attention(1, 99, 32, 8, 128, DType::kFp32, DType::kFp16, DType::kFp16);
  EXPECT_DOUBLE_EQ(a.flops, 4.0 * 100 * 32 * 128 + 5.0 * 100 * 32);
  EXPECT_DOUBLE_EQ(a.kv_read, 100.0 * 2 * 8 * 128 * 2);
}

TEST(Formulas, ExpertsTouched) {
  EXPECT_DOUBLE_EQ(F::experts_touched(1, 2, 8), 2.0);
  EXPECT_NEAR(F::experts_touched(1000, 2, 8), 8.0, 1e-9);
  EXPECT_GT(F::experts_touched(4, 2, 8), 2.0);
}

TEST(Lowering, ChunkedPrefillDoesTheSameWorkAsWholePrompt) {
  ModelSpec m = tiny_model();
  Lowered whole = lower(m, 100, 1, 0, Granularity::kBlock);
  Lowered chunked = lower(m, 100, 1, 32, Granularity::kBlock);
  EXPECT_NEAR(phase_flops(chunked.g, Phase::kPrefill), phase_flops(whole.g, Phase::kPrefill),
              1e-12 * phase_flops(whole.g, Phase::kPrefill));
  // 4 chunks (32, 32, 32, 4): each has an embedding and 4 ops per layer, plus the LM head.
  EXPECT_EQ(chunked.g.size(), 4u * (1 + 4 * 2) + 1);
}

TEST(Lowering, ChunkAttentionWaitsForEarlierChunksKv) {
  ModelSpec m = tiny_model();
  Lowered l = lower(m, 64, 1, 32, Granularity::kBlock);
  for (OpId i = 0; i < l.g.size(); ++i) {
    const Op& op = l.g.op(i);
    if (op.kind != OpKind::kAttention || op.chunk != 1) continue;
    bool waits_for_chunk0 = false;
    for (OpId p : l.g.preds(i))
      waits_for_chunk0 |= l.g.op(p).chunk == 0 && l.g.op(p).layer == op.layer;
    EXPECT_TRUE(waits_for_chunk0) << l.g.name(i);
  }
}

TEST(Lowering, DecodeReadsAGrowingKvCache) {
  ModelSpec m = tiny_model();
  Lowered l = lower(m, 10, 5, 0, Granularity::kBlock);
  std::vector<double> kv;  // layer 0 attention KV bytes per decode step
  for (OpId i = 0; i < l.g.size(); ++i)
    if (l.g.op(i).phase == Phase::kDecode && l.g.op(i).kind == OpKind::kAttention &&
        l.g.op(i).layer == 0)
      kv.push_back(l.g.parts(i)[0].kv_read);
  ASSERT_EQ(kv.size(), 4u);             // gen 5 = 1 token from prefill + 4 decode steps
  const double row = 2.0 * 2 * 16 * 2;  // K and V, 2 KV heads x 16 dims, fp16
  for (size_t t = 0; t < kv.size(); ++t) EXPECT_DOUBLE_EQ(kv[t], (11.0 + t) * row);
}

TEST(Lowering, GranularityPreservesTotals) {
  ModelSpec m = tiny_model();
  Lowered op = lower(m, 16, 4, 0, Granularity::kOp);
  Lowered block = lower(m, 16, 4, 0, Granularity::kBlock);
  Lowered layer = lower(m, 16, 4, 0, Granularity::kLayer);
  EXPECT_DOUBLE_EQ(op.g.total_flops(), block.g.total_flops());
  EXPECT_DOUBLE_EQ(layer.g.total_flops(), block.g.total_flops());
  EXPECT_DOUBLE_EQ(layer.g.total_bytes(), block.g.total_bytes());
  EXPECT_GT(op.g.size(), block.g.size());
  EXPECT_GT(block.g.size(), layer.g.size());
}

TEST(Lowering, DecodeStepWaitsForPreviousToken) {
  ModelSpec m = tiny_model();
  Lowered l = lower(m, 8, 3, 0, Granularity::kLayer);
  for (OpId i = 0; i < l.g.size(); ++i) {
    const Op& op = l.g.op(i);
    if (op.phase != Phase::kDecode || op.layer != -1 || l.g.name(i) != "embed") continue;
    ASSERT_EQ(l.g.preds(i).size(), 1u);
    EXPECT_EQ(l.g.name(l.g.preds(i)[0]), "lm_head");
  }
  EXPECT_EQ(l.g.name(l.prefill_end), "lm_head");
  EXPECT_EQ(l.g.op(l.prefill_end).phase, Phase::kPrefill);
}

TEST(Lowering, MoeReadsOnlyTouchedExperts) {
  ModelSpec m = tiny_model();
  m.has_moe = true;
  m.moe.experts = 8;
  m.moe.experts_per_token = 2;
  Lowered l = lower(m, 4, 2, 0, Granularity::kBlock);
  for (OpId i = 0; i < l.g.size(); ++i) {
    if (l.g.op(i).phase != Phase::kDecode || l.g.name(i) != "L0.ffn") continue;
    double w = 0;
    for (const OpPart& p : l.g.parts(i))
      if (p.kind == OpKind::kMatmul) w += p.weight_bytes;
    EXPECT_DOUBLE_EQ(w, 2.0 * 3 * 64 * 128 * 8.5 / 8);  // 2 experts x (gate, up, down)
  }
}
