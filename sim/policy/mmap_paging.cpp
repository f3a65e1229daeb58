// mmap paging of weights that do not fit; see mmap_paging.hpp.
#include "sim/policy/mmap_paging.hpp"

#include <algorithm>
#include <cmath>

#include "sim/policy/memory_plan.hpp"
#include "sim/policy/placement.hpp"

namespace socsim {

MmapPaging plan_mmap_paging(const LowerContext& ctx, double weight_bytes, double other_bytes,
                            double request) {
  const double budget = memory_budget(ctx.model, ctx.hw, ctx.workload);
  MmapPaging p;
  p.request = request;
  p.span = weight_bytes;
  const double fits =
      weight_bytes > 0 ? std::clamp((budget - other_bytes) / weight_bytes, 0.0, 1.0) : 1.0;
  // Every pass scans the weights in the same order; a page cache that evicts the least recently
  // used page keeps none of them (each page is evicted just before it is needed again), one that
  // protects a working set keeps the share that fits.
  p.cached_fraction = fits;
  p.resident_fraction = fits >= 1.0 ? 1.0 : fits * ctx.hw.dram.page_cache_keep;
  return p;
}

std::vector<OpId> page_in(const MmapPaging& plan, const Op& stage, std::span<const OpPart> parts,
                          std::span<const OpId> preds, TaskGraph& g) {
  if (plan.resident_fraction >= 1.0) return {};
  double weights = 0;
  for (const OpPart& p : parts) weights += p.weight_bytes;
  const double bytes = (1.0 - plan.resident_fraction) * weights;
  if (bytes <= 0) return {};
  Op read = stage;
  read.kind = OpKind::kFlashRead;
  read.flash_bytes = bytes;
  read.flash_request = plan.request;
  read.flash_span = plan.span;
  read.flash_depth = static_cast<uint16_t>(std::max(1, cores_of(stage.place)));
  read.rank = static_cast<int64_t>(g.size());
  return {g.add(read, {}, preds, "page_in")};
}

}  // namespace socsim
