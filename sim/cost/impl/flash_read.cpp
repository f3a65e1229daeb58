// The flash estimator: service time of a flash read on the UFS device when alone. Bandwidth comes
// from the profile's curves over request size (sequential, or random scaled by the span the reads
// fall in), capped by the IOPS limit for random reads, scaled by the issuing cluster's measured
// throughput and by the queue depth the op's requests can keep outstanding (up to 64, or the op's
// flash_depth when its issuer is synchronous, e.g. page faults of a few threads).
#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "sim/config/diagnostics.hpp"
#include "sim/cost/estimator.hpp"

namespace socsim {
namespace {

class FlashRead final : public Estimator {
 public:
  bool applies(const Op& op) const override { return op.flash_bytes > 0; }

  OpCost estimate(const TaskGraph& g, OpId id, const PlatformSpec& pf) const override {
    const Op& op = g.op(id);
    if (!pf.flash)
      throw InputError(
          {}, fmt::format("op '{}' reads flash but the profile has no flash section", g.name(id)));
    const FlashSpec& f = *pf.flash;
    const double request = op.flash_request > 0 ? op.flash_request : op.flash_bytes;
    const bool random = op.flash_span > 0;
    double bw = 0;
    if (!random) {
      bw = interpolate_curve(f.sequential_read, request, 0);
    } else {
      bw = interpolate_curve(f.random_read, request, 0) *
           interpolate_curve(f.random_range, op.flash_span, 1.0);
      bw = std::min(bw, f.iops_limit * request);
      bw *= issuer_factor(op, pf);
    }
    double outstanding = std::min(64.0, std::ceil(op.flash_bytes / request));
    if (op.flash_depth > 0)
      outstanding = std::min(outstanding, static_cast<double>(op.flash_depth));
    bw *= interpolate_curve(f.queue_depth, outstanding, 1.0);
    OpCost c;
    c.delay_s = op.fixed_time;
    c.flash_service_s = op.flash_bytes / bw;
    return c;
  }

 private:
  static double issuer_factor(const Op& op, const PlatformSpec& pf) {
    const FlashSpec& f = *pf.flash;
    if (op.place.count == 0 || f.issuers.empty()) return 1.0;
    const PlatformUnit& u = pf.units[op.place.unit[0]];
    double best = 0, mine = 0;
    for (const auto& [name, spec] : f.issuers) {
      best = std::max(best, spec.random_4k);
      if ("cpu." + name == u.name) mine = spec.random_4k;
    }
    return mine > 0 && best > 0 ? mine / best : 1.0;
  }
};

}  // namespace

SOCSIM_REGISTER_ESTIMATOR(FlashRead, "flash",
                          "UFS read service time from size, pattern, span, IOPS and issuer curves",
                          10);

}  // namespace socsim
