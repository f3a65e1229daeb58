// The roofline estimator: compute time = FLOPs / (cores x peak(dtype) x efficiency(size) x the
// engine's thread scaling at the op's core count, 1 on one core) summed over the op's parts,
// effective bytes = bytes / memory efficiency(bytes), plus the unit's launch overhead per kernel
// launch; both efficiencies are padded so time never falls as size grows (padded_efficiency.hpp).
// The backend turns these into max(compute, bytes / bandwidth) under contention. A data type the
// unit lacks is computed in the next wider type it has (int4 -> int8 -> fp16 -> fp32).
#include <fmt/format.h>
#include <cmath>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"
#include "sim/cost/estimator.hpp"
#include "sim/cost/padded_efficiency.hpp"

namespace socsim {
namespace {

OpClass class_of(OpKind k) {
  switch (k) {
    case OpKind::kMatmul:
    case OpKind::kMoeRouter:
      return OpClass::kMatmul;
    case OpKind::kAttention:
      return OpClass::kAttention;
    default:
      return OpClass::kElementwise;
  }
}

double peak_for(const ComputeUnitSpec& u, DType t, const std::string& unit) {
  static constexpr DType kWider[] = {DType::kFp32, DType::kFp32, DType::kFp16, DType::kFp16,
                                     DType::kInt8};
  for (int guard = 0; guard < 4; ++guard) {
    double p = u.peak_at_clock(t);
    if (!std::isnan(p)) return p;
    if (t == DType::kFp32) break;
    t = kWider[static_cast<size_t>(t)];
  }
  for (DType any : {DType::kFp32, DType::kFp16}) {
    double p = u.peak_at_clock(any);
    if (!std::isnan(p)) return p;
  }
  throw InputError(
      {}, fmt::format("{}: no peak for data type {} or any wider type", unit, dtype_name(t)));
}

// The size measure named by the table's `by` ("flops", "rows" or "bytes"; checked on input).
double size_of(const OpPart& p, const std::string& by) {
  switch (by[0]) {
    case 'r':
      return static_cast<double>(p.m);
    case 'b':
      return p.bytes();
    default:
      return p.flops;
  }
}

class Roofline final : public Estimator {
 public:
  bool applies(const Op& op) const override { return op.place.count > 0; }
  bool shape_only() const override { return true; }

  OpCost estimate(const TaskGraph& g, OpId id, const PlatformSpec& pf) const override {
    const Op& op = g.op(id);
    OpCost c;
    const PlatformUnit& first = pf.units[op.place.unit[0]];
    for (uint8_t i = 0; i < op.place.count; ++i)
      c.delay_s = std::max(c.delay_s, pf.units[op.place.unit[i]].spec->launch_overhead);
    c.delay_s = c.delay_s * op.launches + op.fixed_time;
    // A kernel split over several cores runs each at the engine's scaling for that many threads.
    int threads = 0;
    for (uint8_t i = 0; i < op.place.count; ++i) threads += op.place.cores[i];
    const double scaling =
        threads > 1 ? interpolate_curve(first.spec->thread_scaling, threads, 1.0) : 1.0;
    for (const OpPart& part : g.parts(id)) {
      const size_t cls = static_cast<size_t>(class_of(part.kind));
      double rate = 0;
      for (uint8_t i = 0; i < op.place.count; ++i) {
        const PlatformUnit& u = pf.units[op.place.unit[i]];
        const EfficiencyTable& e = u.spec->efficiency[cls];
        rate += op.place.cores[i] * peak_for(*u.spec, part.dtype, u.name) *
                padded_efficiency(e.compute, size_of(part, e.by), 1.0);
      }
      if (part.flops > 0) c.compute_s += part.flops / (rate * scaling);
      const double bytes = part.bytes();
      c.actual_bytes += bytes;
      c.dram_bytes += bytes / padded_efficiency(first.spec->efficiency[cls].memory, bytes, 1.0);
    }
    c.compute_s *= op.compute_scale;
    return c;
  }
};

class FixedTime final : public Estimator {
 public:
  bool applies(const Op& op) const override { return op.place.count == 0 && op.flash_bytes == 0; }
  OpCost estimate(const TaskGraph& g, OpId id, const PlatformSpec&) const override {
    OpCost c;
    c.delay_s = g.op(id).fixed_time;
    return c;
  }
};

}  // namespace

SOCSIM_REGISTER_ESTIMATOR(
    Roofline, "roofline",
    "max(compute at peak x efficiency(size), bytes / bandwidth) + launch overhead", 50);
SOCSIM_REGISTER_ESTIMATOR(FixedTime, "fixed-time",
                          "pure-time ops (graph build, synchronisation) on no unit", 90);

}  // namespace socsim
