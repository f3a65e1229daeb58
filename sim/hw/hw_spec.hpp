// Hardware profile of a phone SoC: CPU clusters, GPU, NPU, DRAM and flash (UFS), as immutable spec
// structs in SI units. The fields are declared once in hw_spec.cpp (visit_hw) with unit, default,
// bounds and meaning; YAML files in hwprofiles/ are read through that declaration, `--set hw.PATH`
// overrides through it, and `socsim describe hw` prints it.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"
#include "sim/model/dtype.hpp"
#include "sim/thermal/thermal_spec.hpp"

namespace socsim {

using Curve = std::vector<std::pair<double, double>>;

// Peak arithmetic throughput per data type (ops/s; one multiply-accumulate = 2 ops). NaN (absent)
// means the unit cannot compute in that type.
struct PeakSpec {
  std::array<double, kNumDTypes> by_dtype{kUnset, kUnset, kUnset, kUnset, kUnset};
};

// How much of peak (compute) and of port bandwidth (memory) an op class achieves, as tables over
// problem size. `by` chooses the size measure of the compute table: the op's FLOPs, its rows
// (tokens processed at once) or its bytes. The memory table is over the op's bytes.
struct EfficiencyTable {
  std::string by = "flops";
  Curve compute;
  Curve memory;
};

inline constexpr std::array<std::string_view, 3> kOpClassNames{"matmul", "attention",
                                                               "elementwise"};
enum class OpClass { kMatmul, kAttention, kElementwise };

struct DvfsState {
  double clock = kUnset;
  double busy_power = kUnset;  // per core (CPU) or per device (GPU, NPU), at full load
};

struct NpuGraphSpec {
  double setup = 0;               // one-time environment setup before the first graph
  double build_per_graph = 0;     // building one static-shape graph
  double optimize_per_param = 0;  // optimising, per weight element in the graph (s)
  double memory_per_graph = 0;    // bytes of graph objects (buffers, compiled kernels) per graph
};

struct ComputeUnitSpec {
  int64_t cores = 1;
  bool efficiency_cores = false;  // CPU: the vendor's efficiency class (Cortex-A5xx, Apple E)
  double rated_clock = kUnset;    // clock at which `peak` is quoted
  double clock = kUnset;          // operating clock; derived = rated_clock
  PeakSpec peak;                  // per core (CPU) or per device (GPU, NPU)
  double idle_power = 0;          // per core (CPU) or per device
  std::vector<DvfsState> dvfs;    // busy power at each clock, ascending clocks
  double launch_overhead = 0;     // fixed cost per kernel launch
  // Set only by an engine profile (engine_spec.hpp), 0 otherwise:
  double step_overhead = 0;  // per forward pass (framework, logits, sampling), on the LM head
  double step_overhead_per_vocab = 0;  // per forward pass and vocabulary entry of each logits row
  double thread_wake = 0;  // per forward pass on more than one core: waking worker threads
  // [threads, factor on each thread's compute rate] when one kernel runs on that many cores
  // (barrier-synchronised threads of unequal, varying speed); empty = 1.
  Curve thread_scaling;
  double port_bandwidth = kUnset;  // this unit's path to DRAM
  std::array<EfficiencyTable, 3> efficiency;
  int64_t concurrency = 1;  // kernels at once (GPU/NPU); CPU runs one op per core
  bool has_graph = false;   // NPU static-graph lifecycle present
  NpuGraphSpec graph;
  double addressable_memory = kUnset;  // NPU: bytes one graph may map; NaN = unlimited

  // Peak at the operating clock for dtype t (NaN when unsupported).
  double peak_at_clock(DType t) const;
  // Busy power per core/device at the operating clock, interpolated in the DVFS table.
  double busy_power() const;
};

struct DramSpec {
  double capacity = kUnset;
  double available = kUnset;      // usable by one app; default memory budget (derived = capacity)
  double bandwidth = kUnset;      // total achievable bandwidth shared by all units
  double cpu_bandwidth = kUnset;  // shared by all CPU clusters together (derived = bandwidth)
  double energy_per_byte = 0;     // access energy
  double background_power = 0;    // refresh and PHY when idle
  // Share of an mmapped file's fitting part the OS page cache keeps across cyclic passes larger
  // than the cache: 1 = the share that fits stays resident, 0 = every pass misses (pure LRU).
  double page_cache_keep = 1;
};

struct FlashIssuerSpec {
  double random_4k = kUnset;  // 4 KiB random-read throughput when this cluster issues the reads
};

struct FlashSpec {
  double capacity = kUnset;
  Curve sequential_read;       // [request size, bandwidth] at saturating queue depth
  Curve random_read;           // [request size, bandwidth] at saturating queue depth, small range
  Curve random_range;          // [span of the reads, factor on random bandwidth]
  double iops_limit = kUnset;  // random-read request rate limit
  Curve queue_depth;           // [outstanding requests, fraction of the saturated bandwidth]
  std::vector<std::pair<std::string, FlashIssuerSpec>> issuers;  // by CPU cluster name
  double active_power = 0;
  double idle_power = 0;
};

struct HwSpec {
  int64_t schema_version = 1;
  std::string name;
  std::string soc;
  std::string vendor;
  std::vector<std::pair<std::string, ComputeUnitSpec>> cpu;  // clusters by name
  bool has_gpu = false;
  ComputeUnitSpec gpu;
  bool has_npu = false;
  ComputeUnitSpec npu;
  DramSpec dram;
  bool has_flash = false;
  FlashSpec flash;
  double other_power = 0;  // rest of the SoC while the run lasts (display off), constant
  bool has_thermal = false;
  ThermalSpec thermal;
};

void visit_hw(FieldVisitor& v, HwSpec& s);
// One op class's efficiency tables (also an engine profile's own tables).
void visit_efficiency(FieldVisitor& v, EfficiencyTable& e);
// Checks cross-field rules (DVFS clocks ascending and covering the clock, port <= total, ...) and
// fills derived fields. Reports into diags with `file` as the location.
void finalize_hw(HwSpec& s, const std::string& file, Diagnostics& diags,
                 const SourceMap& where = {});
// Reads a profile file; throws InputError with every problem found.
HwSpec load_hw(const std::string& path);
// Reads without finalising (overrides are applied between the two); reports into diags.
HwSpec read_hw(const std::string& path, Diagnostics& diags, SourceMap* where = nullptr);

}  // namespace socsim
