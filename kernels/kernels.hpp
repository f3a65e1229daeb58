// Reference numerical kernels (Eigen, FP32 storage, single-threaded) that execute the primitives of
// socsim's task graph for real: GEMM in FP32; INT8 symmetric quantised GEMM (per-tensor,
// per-output- channel and per-group scales) with INT32 accumulation; the shadow-outlier GEMM of
// mllm-NPU; causal attention over a KV cache (whole prompt or chunk by chunk); RMSNorm and
// LayerNorm; RoPE; FFN activations (SiLU, GELU, ReLU, dReLU), gated and plain FFN, the sparse FFN
// over a set of neurons; the MoE top-k router; embedding and LM head. Each kernel has a `*_flops`
// function that must equal the cost model's formula for the same shape (tests/kernels check it), so
// what the simulator costs is exactly what runs here.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <span>
#include <vector>

namespace socsim::kernels {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::VectorXf;

// ---- GEMM ------------------------------------------------------------------------------------
// y[m,n] = x[m,k] * w[k,n]. FLOPs: 2mkn.
void gemm_f32(const Mat& x, const Mat& w, Mat& y);
double gemm_flops(int64_t m, int64_t k, int64_t n);

enum class QuantScheme : uint8_t {
  kPerTensor,   // one scale for the whole weight matrix (and per-tensor static activation scale)
  kPerChannel,  // one scale per output column of W (activations: one scale per row)
  kPerGroup,    // one scale per `group` consecutive values along k, for W and activations (Q8_0)
};

// Symmetric INT8: value = q * scale, q in [-127, 127].
struct QuantMatrix {
  Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> q;  // k x n
  Mat scale;  // per-tensor: 1x1; per-channel: 1 x n; per-group: (k/group) x n
  QuantScheme scheme = QuantScheme::kPerTensor;
  int group = 32;
};
QuantMatrix quantize_weights(const Mat& w, QuantScheme scheme, int group = 32);

struct QuantActs {
  Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> q;  // m x k
  Mat scale;  // per-tensor: 1x1; per-channel: m x 1 (per row); per-group: m x (k/group)
  QuantScheme scheme = QuantScheme::kPerTensor;
  int group = 32;
};
// Per-tensor uses `static_scale` (> 0: a calibrated scale; values beyond it are clipped) or, when
// static_scale <= 0, max|x| / 127 of this x. The other schemes always use dynamic scales.
QuantActs quantize_acts(const Mat& x, QuantScheme scheme, float static_scale = 0.f, int group = 32);

// y = dequant(x) * dequant(w) computed as INT8 x INT8 products accumulated in INT32 and scaled
// once per accumulation block (the whole k for per-tensor/per-channel, each group for per-group).
void gemm_int8(const QuantActs& x, const QuantMatrix& w, Mat& y);

// mllm-NPU shadow outlier execution: the main GEMM runs in per-tensor INT8 on activations clipped
// to the static scale's range; the clipped-off part (x - clip(x)), which is non-zero only on
// outlier channels, is multiplied in FP32 by the corresponding rows of the FP32 weights and added.
// Returns the number of outlier channels (columns of x with any clipped value) used.
int gemm_shadow_outlier(const Mat& x, const QuantMatrix& w_int8, const Mat& w_f32,
                        float act_static_scale, Mat& y);
// FLOPs of the shadow part: 2 x rows x outlier_channels x n.
double shadow_flops(int64_t m, int64_t outlier_channels, int64_t n);

// ---- normalisation, position, activation ------------------------------------------------------
void rmsnorm(const Mat& x, const Vec& gain, float eps, Mat& y);                     // FLOPs 4mn
void layernorm(const Mat& x, const Vec& gain, const Vec& bias, float eps, Mat& y);  // FLOPs 7mn
double rmsnorm_flops(int64_t m, int64_t n);
double layernorm_flops(int64_t m, int64_t n);

// Rotary embedding in place on q (m x heads*head_dim) and k (m x kv_heads*head_dim); row i has
// position first_pos + i. FLOPs 3 per element (6 per rotated pair).
void rope(Mat& q, Mat& k, int heads, int kv_heads, int head_dim, int64_t first_pos,
          float theta = 10000.f);
double rope_flops(int64_t m, int64_t width);

enum class Act : uint8_t { kSilu, kGelu, kRelu, kDRelu };
// Gated: y = act(gate) * up (dReLU: relu(gate) * relu(up)); plain: y = act(up). FLOPs per element:
// silu 4, gelu 8, relu 1, drelu 2, plus 1 for the gating product.
void activation(const Mat& gate_or_up, const Mat* up, Act act, Mat& y);
double activation_flops(int64_t m, int64_t width, Act act, bool gated);

// ---- attention ---------------------------------------------------------------------------------
// One layer's KV cache: rows are positions, columns kv_heads*head_dim.
struct KvCache {
  Mat k, v;  // capacity x kv_dim
  int64_t length = 0;
  void reserve(int64_t capacity, int64_t kv_dim);
};
// Appends k/v rows at positions [length, length + rows) (rows in order).
void kv_append(KvCache& cache, const Mat& k, const Mat& v);
// Causal attention of q (rows x heads*head_dim) at positions [past, past + rows) over the cache
// positions [0, past + rows); grouped-query heads share KV heads. out: rows x heads*head_dim.
// FLOPs: 4 x pairs x heads x head_dim + 5 x pairs x heads, pairs = rows*past + rows*(rows+1)/2.
void attention(const Mat& q, const KvCache& cache, int64_t past, int heads, int kv_heads,
               int head_dim, Mat& out);
double attention_flops(int64_t rows, int64_t past, int heads, int head_dim);

// ---- FFN ---------------------------------------------------------------------------------------
// Dense FFN: gated: down(act(x Wg + bg) * (x Wu)); plain: down(act(x Wu + bu)). `gate_bias` may be
// empty (no bias). w_gate is k x ffn, w_up k x ffn, w_down ffn x k.
void ffn_dense(const Mat& x, const Mat* w_gate, const Vec* gate_bias, const Mat& w_up,
               const Mat& w_down, Act act, Mat& y);
// Sparse FFN over `neurons` (indices into the ffn dimension): only those columns of gate/up and
// rows of down are touched. With every neuron whose activation is non-zero included (an oracle),
// the result equals ffn_dense exactly on ReLU/dReLU models. FLOPs: as dense with ffn = |neurons|.
void ffn_sparse(const Mat& x, const Mat* w_gate, const Vec* gate_bias, const Mat& w_up,
                const Mat& w_down, Act act, std::span<const int32_t> neurons, Mat& y);
// Indices of neurons with a non-zero activation for any row of x (the oracle set).
std::vector<int32_t> active_neurons(const Mat& x, const Mat* w_gate, const Vec* gate_bias,
                                    const Mat& w_up, Act act);

// ---- MoE, embedding, head ----------------------------------------------------------------------
// Router logits x * w_router (k x experts), softmax, top-k per row: indices and renormalised
// weights, each rows x k. FLOPs: 2 m hidden experts + 2 m experts.
void moe_route(const Mat& x, const Mat& w_router, int top_k, Eigen::MatrixXi& experts,
               Mat& weights);
void embedding(const Mat& table, std::span<const int32_t> tokens, Mat& y);  // 0 FLOPs
void lm_head(const Mat& x, const Mat& w, Mat& logits);                      // as gemm_f32

}  // namespace socsim::kernels
