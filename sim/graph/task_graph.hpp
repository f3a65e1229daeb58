// Task-graph IR: what a model + workload + policy lowers to and what the engine simulates. An op is
// one kernel (or one fused group of kernels) placed on compute units, with tags (layer, chunk,
// phase, token) and dependencies. Its cost inputs are its parts: each part is one primitive
// (matmul, attention, norm, ...) with shapes, data type, FLOPs and bytes read and written, all from
// the formulas in op_formulas.hpp. Storage is flat (parts and edges in arrays) so graphs of
// millions of ops stay cheap to build and walk.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/model/dtype.hpp"

namespace socsim {

using OpId = uint32_t;
using UnitId = uint8_t;  // index into the platform's compute units (CPU clusters, then GPU, NPU)

enum class OpKind : uint8_t {
  kEmbedding,
  kNorm,
  kMatmul,
  kRope,
  kAttention,
  kActivation,
  kAdd,
  kMoeRouter,
  kFlashRead,
  kGraphBuild,
  kSync,
  kConvert,  // a type conversion pass (quantise, dequantise), possibly fused with an add
};
inline constexpr std::array<std::string_view, 12> kOpKindNames{
    "embedding", "norm",       "matmul",     "rope",        "attention", "activation",
    "add",       "moe_router", "flash_read", "graph_build", "sync",      "convert"};

enum class Phase : uint8_t { kSetup, kPrefill, kDecode };

// What a part computes in the model, so a schedule can be executed functionally (sim/verify):
// which weights it uses and which activations it reads and writes.
enum class PartRole : uint8_t {
  kNone,
  kEmbed,
  kAttnNorm,
  kQkv,
  kRope,
  kAttention,
  kOProj,
  kAttnResidual,
  kFfnNorm,
  kRouter,
  kGateUp,
  kAct,
  kDown,
  kFfnResidual,
  kFinalNorm,
  kLmHead,
};
inline constexpr std::array<std::string_view, 3> kPhaseNames{"setup", "prefill", "decode"};

// One primitive inside an op. Dimensions: matmul m x k times k x n; attention m queries over n
// keys with k = heads x head_dim; elementwise ops m rows of width n.
struct OpPart {
  OpKind kind = OpKind::kMatmul;
  DType dtype = DType::kFp32;  // compute data type
  PartRole role = PartRole::kNone;
  int32_t m = 0, n = 0, k = 0;  // fits any real shape; keeps a part at 64 bytes
  double flops = 0;
  double weight_bytes = 0;  // weights read from DRAM
  double act_read = 0;      // activations read
  double act_written = 0;   // activations written
  double kv_read = 0;       // KV cache read
  double kv_written = 0;    // KV cache written
  double bytes() const { return weight_bytes + act_read + act_written + kv_read + kv_written; }
};

// Where an op runs: up to three compute units, with a number of cores on each (1 for GPU/NPU). The
// op's work is split so that every core finishes together.
struct Placement {
  uint8_t count = 0;
  std::array<UnitId, 3> unit{};
  std::array<uint8_t, 3> cores{};
};

struct Op {
  OpKind kind = OpKind::kMatmul;  // the dominant part (for reporting and efficiency lookup)
  Phase phase = Phase::kPrefill;
  Placement place;
  int32_t layer = -1;  // -1 outside layers (embedding, LM head)
  int32_t chunk = -1;  // prefill chunk index
  int32_t token = -1;  // decode step index
  int32_t pos = 0;     // first sequence position the op computes
  int32_t rows = 0;    // positions it computes (without static-shape padding)
  uint32_t first_part = 0;
  uint16_t num_parts = 0;
  uint16_t launches = 1;  // kernel launches the op costs (a fused CPU/GPU op launches each part)
  uint32_t first_pred = 0;
  uint32_t num_preds = 0;
  int64_t rank = 0;       // policy order: lower runs first among ready ops
  double fixed_time = 0;  // pure-time ops (graph build, sync) and flash ops: added duration
  double compute_scale =
      1;                   // slowdown of the kernel variant chosen (e.g. per-group INT8 on an NPU)
  double flash_bytes = 0;  // bytes read from flash
  double flash_request = 0;  // flash request size (bytes)
  double flash_span = 0;     // span of the file the reads fall in (0 = sequential)
  uint32_t name_id = 0;      // index into TaskGraph::names (short label such as "L3.ffn")
  uint16_t flash_depth = 0;  // requests the issuer keeps outstanding; 0 = all of the op's (<= 64)
  // Serial lane: ops with the same nonzero lane run one at a time, in the policy's order among
  // the ready ones, whatever the cores of their unit (one issuing thread, such as an I/O thread).
  uint8_t lane = 0;
};
inline constexpr int kLanes = 256;

class TaskGraph {
 public:
  // Adds an op whose parts and predecessors are given; returns its id. Predecessors must exist.
  OpId add(Op op, std::span<const OpPart> parts, std::span<const OpId> preds,
           std::string_view name);
  // Same, with a name already interned by intern() (the fast path for lowering loops).
  OpId add(Op op, std::span<const OpPart> parts, std::span<const OpId> preds, uint32_t name_id);
  uint32_t intern(std::string_view name);
  size_t size() const { return ops_.size(); }
  const Op& op(OpId i) const { return ops_[i]; }
  Op& op_mut(OpId i) { return ops_[i]; }
  std::span<const OpPart> parts(OpId i) const {
    return {parts_.data() + ops_[i].first_part, ops_[i].num_parts};
  }
  // The op's parts for changing; an op whose part list is shared with others gets its own copy
  // first, so the change stays with it.
  std::span<OpPart> parts_mut(OpId i);
  std::span<const OpId> preds(OpId i) const {
    return {preds_.data() + ops_[i].first_pred, ops_[i].num_preds};
  }
  const std::string& name(OpId i) const { return names_[ops_[i].name_id]; }
  // Every interned name, by id.
  std::span<const std::string> names() const { return names_; }
  // Successor lists (CSR), built on demand after the graph is complete.
  void build_successors();
  std::span<const OpId> succs(OpId i) const {
    return {succs_.data() + succ_start_[i], succ_start_[i + 1] - succ_start_[i]};
  }
  void reserve(size_t ops, size_t parts, size_t edges);
  // Part entries stored: ops with equal part lists (the same layer shape in every layer, the same
  // step in every decode token) share one stored list, so this is at most the sum of num_parts.
  size_t stored_parts() const { return parts_.size(); }
  // Totals over all parts (for reports and tests).
  double total_flops() const;
  double total_bytes() const;

 private:
  std::vector<Op> ops_;
  // Part lists, each stored once however many ops have it (TaskGraph::add looks an op's list up
  // by content): a 7B model's 4k-op graph has ~50k parts but a few thousand distinct ones, and on
  // a machine where a fresh page costs microseconds the storage is the lowering's main cost.
  std::vector<OpPart> parts_;
  // Recently stored lists by content hash (direct-mapped: a list is found while it recurs within
  // the last few thousand distinct lists, as a layer's list does across the layers of a step;
  // memory stays bounded when lists never recur, as sparse decode's per-token lists do not).
  static constexpr size_t kRecentLists = 4096;
  std::vector<std::pair<uint64_t, uint32_t>> recent_lists_;  // (hash, first part + 1; 0 = none)
  // By first part (one entry per stored part, and one past them): ops sharing the list (>= 2),
  // else 0.
  std::vector<uint32_t> list_users_;
  std::vector<OpId> preds_;
  std::vector<uint32_t> succ_start_;
  std::vector<OpId> succs_;
  std::vector<std::string> names_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Looked up by string_view: a name seen before costs no string.
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> name_index_;
};

}  // namespace socsim

static_assert(sizeof(socsim::OpPart) == 64, "OpPart is stored per op part; keep it compact");
