// The physical bounds of a run's traffic: in each phase (setup, prefill, decode) the bytes its ops
// move to or from DRAM cannot take less time than at the profile's whole DRAM bandwidth, nor the
// bytes they read from flash less than at the device's best read bandwidth (the highest entry of
// its sequential and random read tables). For decode this is the familiar bound of memory-bound
// inference: tokens/s <= bandwidth / bytes per token. See invariants.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "sim/check/invariants.hpp"
#include "sim/config/units.hpp"

namespace socsim::check {
namespace {

struct PhaseTraffic {
  double dram_bytes = 0, flash_bytes = 0;
  double first_start = std::numeric_limits<double>::infinity(), last_end = 0;
  size_t ops = 0;
  double span() const { return ops > 0 ? last_end - first_start : 0; }
};

double best_flash_read(const PlatformSpec& p) {
  double best = 0;
  if (!p.has_flash || !p.flash) return best;
  for (const Curve* c : {&p.flash->sequential_read, &p.flash->random_read})
    for (const auto& [size, bandwidth] : *c) best = std::max(best, bandwidth);
  return best;
}

std::string rate(double r) {
  return format_human(r, Dim::kBandwidth);
}

}  // namespace

void check_bandwidth(const RunOutput& out, const InvariantContext& ctx, Violations& v) {
  const TaskGraph& g = out.graph;
  if (out.timing.size() != g.size() || out.costs.size() != g.size()) return;  // times reports it
  PhaseTraffic phases[3];                                                     // by Phase
  for (OpId i = 0; i < g.size(); ++i) {
    PhaseTraffic& t = phases[static_cast<size_t>(g.op(i).phase)];
    t.dram_bytes += out.costs[i].actual_bytes;
    t.flash_bytes += g.op(i).flash_bytes;
    t.first_start = std::min(t.first_start, out.timing[i].start);
    t.last_end = std::max(t.last_end, out.timing[i].end);
    ++t.ops;
  }
  const double tol = time_tolerance(out);
  const double dram = out.platform.dram_bandwidth, flash = best_flash_read(out.platform);
  const int64_t steps = std::max<int64_t>(ctx.workload.gen - 1, 0);
  for (size_t phase = 0; phase < 3; ++phase) {
    const PhaseTraffic& t = phases[phase];
    const bool decode = phase == static_cast<size_t>(Phase::kDecode);
    const std::string_view name = kPhaseNames[phase];
    auto bound = [&](const char* memory, double bytes, double bandwidth) {
      if (!(bytes > 0)) return;
      const double floor =
          bandwidth > 0 ? bytes / bandwidth : std::numeric_limits<double>::infinity();
      if (t.span() + tol >= floor * (1 - kRoundingTolerance)) return;
      std::string per_token;
      if (decode && steps > 0 && t.span() > 0)
        per_token =
            fmt::format(" (decode at {:.6g} tokens/s against a bound of {:.6g})",
                        static_cast<double>(steps) / t.span(), static_cast<double>(steps) / floor);
      v.add("bandwidth", fmt::format("{} ops move {} through {} in {:.9g} s, faster than its {} "
                                     "allow ({:.9g} s){}",
                                     name, format_human(bytes, Dim::kBytes), memory, t.span(),
                                     rate(bandwidth), floor, per_token));
    };
    bound("DRAM", t.dram_bytes, dram);
    bound("flash", t.flash_bytes, flash);
  }
}

}  // namespace socsim::check
