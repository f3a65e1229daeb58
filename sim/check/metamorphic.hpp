// Metamorphic relations of `socsim check --random`: a change to a design point whose effect on
// the result is known in direction even when its size is not. Each relation makes a variant of a
// random point and compares the two runs:
//   dram-bandwidth  more DRAM bandwidth (whole, and the CPU's share when given): never slower
//   flash-bandwidth faster flash (read tables and IOPS limit): never slower
//   clock           a higher clock on one CPU cluster, the GPU or the NPU: never slower (the
//                   variant lowers the clock within the DVFS range, as profiles run at the top)
//   cores           more cores in one CPU cluster, its port bandwidth in proportion: never slower
//   memory-budget   a larger memory budget for a policy that offloads: never slower
//   prune-rate      a higher outlier prune rate (mllm-NPU): prefill never slower
//   longer-prompt   a longer prompt: TTFT never lower
//   more-gen        more generated tokens: total time never lower
// "Never slower" means neither TTFT nor total time grows, beyond a relative 1e-9 of rounding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/check/random_points.hpp"
#include "sim/check/random_stream.hpp"

namespace socsim::check {

enum class Relation {
  kDramBandwidth,
  kFlashBandwidth,
  kClock,
  kCores,
  kMemoryBudget,
  kPruneRate,
  kLongerPrompt,
  kMoreGen
};
inline constexpr size_t kRelations = 8;
std::string_view relation_name(Relation r);

struct Variant {
  Relation relation = Relation::kDramBandwidth;
  RunRequest request;
  std::string change;  // "hw.dram.bandwidth 51.2GB/s -> 76.8GB/s"
};

// The relations that apply to `p`, in a random order drawn from `r`.
std::vector<Variant> applicable_variants(const RandomPoint& p, RandomStream& r);

// The figures a relation compares.
struct RunFigures {
  double ttft_s = 0, total_s = 0;
};

// Empty when the relation holds between the base run and its variant, else what broke.
std::string compare(Relation rel, const RunFigures& base, const RunFigures& variant);

}  // namespace socsim::check
