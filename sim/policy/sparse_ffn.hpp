// Decode-time lowering of a sparse FFN whose weights live in flash behind a neuron cache, shared by
// the PowerInfer-2 and LLM-in-a-flash policies. For one layer of one decoded token it replays the
// activation source through the neuron cache (per neuron, per routed expert), turns the misses into
// flash reads by the bundle layout, and emits a handful of ops:
//   predict (CPU) -> [hot cluster reads (I/O core) -> dense hot part (NPU)]
//                 -> cold path on the CPU: Gate reads -> Gate compute -> Up/Down reads ->
//                    Up/Down compute, either matrix by matrix (pipeline off) or as a cluster
//                    pipeline (on): the first cluster's Gate reads, then the rest of the reads
//                    overlapping the compute of the clusters already read, then the last
//                    cluster's compute.
// Counts are summed over the routed experts of the layer, so the op count does not grow with them.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "sim/graph/task_graph.hpp"
#include "sim/model/model_spec.hpp"
#include "sim/sparse/activation_model.hpp"
#include "sim/sparse/bundle_reads.hpp"
#include "sim/sparse/neuron_cache.hpp"
#include "sim/sparse/prefetched_activations.hpp"

namespace socsim {

// The serial lane of the one I/O thread that issues a policy's flash reads (PowerInfer-2's
// decode reads and prefill preloads): its reads run one after another, in the policy's order
// among the ready ones, however many cores the I/O unit has.
inline constexpr uint8_t kIoThreadLane = 1;

struct SparseFfnOptions {
  bool hybrid = true;          // hot neurons dense on the NPU; off: every active neuron on the CPU
  bool cache = true;           // neuron cache; off: every predicted neuron read every token
  bool bundled = true;         // Gate/Up/Down of a neuron stored together; off: three matrices
  bool pipeline = true;        // cluster pipeline; off: matrix-level overlap
  int64_t pipeline_depth = 4;  // clusters the flash-resident cold neurons are cut into (pipelined)
  // Hottest neurons per FFN the NPU runs densely (hybrid), at most the cache's hot region; -1 =
  // the whole hot region. Hot neurons beyond it are computed sparsely on the CPU like cold ones.
  int64_t npu_neurons = -1;
  double predictor_extra = 0.07;  // predicted but inactive neurons, as a share of the active ones
  // Share of the active cold neurons the predictor catches; it misses the coldest ones, which are
  // then neither read nor computed (an accuracy loss, not a cost).
  double predictor_recall = 1.0;
  int64_t predictor_rank = 276;  // low-rank predictor per (layer, expert): hidden x r + r x ffn
  double io_slowdown = 1.0;      // issue-pattern slowdown of the random reads (e.g. many cores)
  // LLM in a flash's sliding window: a neuron stays in DRAM while it was active in the last
  // `window` tokens (0: the neuron cache decides instead).
  int64_t window = 0;
  // PC-style loading (PowerInfer on a PC): the weights are mmapped matrices, and each missed row
  // is a synchronous page fault of this many bytes (the read-around window) on a compute thread;
  // 0 = reads planned by the bundle layout from the I/O core.
  double fault_request = 0;
  // > 0: flash reads are blocking reads of a pool of this many reader threads (one request
  // outstanding each) that the compute threads wait for, as LLM in a flash reads (32 threads,
  // arXiv 2312.11514 section 4.1; its I/O and compute add up per token, Table 3); 0: an
  // asynchronous I/O core beside the compute (PowerInfer-2).
  int64_t read_threads = 0;
  Placement compute, io, npu;
  DType compute_dtype = DType::kInt8;
  uint64_t seed = 1;
};

// Per-run state: the activation source, the cache and the layout; lowers layer by layer.
class SparseFfnLowering {
 public:
  // prefetch: sample tokens ahead on a second core (with the predictor's picks), while the
  // caller's core replays the cache and builds ops; the results do not change.
  SparseFfnLowering(const ModelSpec& m, SparseFfnOptions o, std::unique_ptr<ActivationSource> src,
                    std::unique_ptr<NeuronCache> cache, BundleLayout layout, bool prefetch = false);
  ~SparseFfnLowering();  // stops the prefetching worker before the state it reads goes
  // The ops of one layer's FFN for the decode step in `tags` (tags.layer); returns the ops the
  // next layer waits for.
  std::vector<OpId> lower(const Op& tags, std::span<const OpId> preds, TaskGraph& g);
  const NeuronCache* cache() const { return cache_.get(); }
  // The CPU's work before the sparse FFN of one layer: FFN norm, the low-rank predictors of the
  // `experts` routed experts, the MoE router.
  static std::vector<OpPart> predictor_parts(const ModelSpec& m, const SparseFfnOptions& o,
                                             int64_t experts);
  // At most how many ops lower() makes of one layer (for reserving the graph; capped so that a
  // deep pipeline does not reserve far more than it is likely to use).
  static int64_t max_ops_per_layer(const SparseFfnOptions& o);
  double flash_bytes() const { return flash_bytes_; }
  int64_t tokens() const { return tokens_; }
  int64_t window() const { return o_.window; }  // 0: the neuron cache decides

 private:
  struct Counts {
    int64_t hot_neurons = 0;  // computed densely on the NPU (hybrid)
    int64_t gate = 0;         // cold neurons whose Gate row is computed on the CPU
    int64_t up_down = 0;      // cold neurons whose Up/Down are computed on the CPU
    int64_t experts = 0;
    int64_t flash_gate = 0;     // of `gate`, neurons whose Gate comes from flash (read misses)
    int64_t flash_up_down = 0;  // of `up_down`, neurons whose Up/Down come from flash
    BundlePlan reads;
  };
  Counts replay(int64_t layer);
  // The predictor on one routed expert's sorted active ids: returns how many of them it catches
  // (a prefix: it misses the coldest) and writes its false positives to `extra`. Reads only state
  // fixed at construction, so it can run on the prefetching worker.
  uint32_t predict(int64_t layer, int32_t expert, std::span<const uint32_t> active,
                   std::vector<uint32_t>& extra) const;
  // Adds an op ranked by creation order. Names are string literals, interned once per graph and
  // then found by address, so creating an op builds no string and allocates nothing.
  OpId add(TaskGraph& g, Op op, std::span<const OpPart> parts, std::span<const OpId> preds,
           const char* name);
  uint32_t name_id(TaskGraph& g, const char* name);
  // The cold path as PowerInfer-2's cluster pipeline; appends the ops its end waits for to `ends`.
  template <class ReadOp, class Parts>
  void pipeline(TaskGraph& g, const Counts& c, const ReadGroup& gate, const ReadGroup& rest,
                double span, OpId predict_op, ReadOp& read_op, Parts& ffn_parts, const Op& cpu,
                std::vector<OpId>& ends);
  // The hottest neurons of (layer, expert) the NPU computes densely (0 without hybrid).
  uint32_t npu_dense(int64_t layer, int32_t expert) const;

  const ModelSpec& m_;
  SparseFfnOptions o_;
  std::unique_ptr<ActivationSource> src_;
  std::unique_ptr<NeuronCache> cache_;
  BundleLayout layout_;
  const PrefetchedActivations* prefetched_ = nullptr;  // src_, when it prefetches
  int32_t token_ = -1;
  int64_t tokens_ = 0;
  double flash_bytes_ = 0;
  std::vector<uint32_t> predicted_, extra_;
  const TaskGraph* named_graph_ = nullptr;  // the graph names_ holds ids of
  std::vector<std::pair<const char*, uint32_t>> names_;
  std::vector<OpId> deps_;            // scratch: predecessors of the op being built
  std::vector<int32_t> last_active_;  // per neuron (window mode): last token it was loaded for
  int64_t window_hits_ = 0, window_accesses_ = 0;

 public:
  // Window mode: share of predicted neurons found in DRAM.
  double window_hit_rate() const {
    return window_accesses_ ? static_cast<double>(window_hits_) / window_accesses_ : 0.0;
  }
};

}  // namespace socsim
