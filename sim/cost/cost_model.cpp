// Estimator registry and the cost model that dispatches to estimators; see estimator.hpp.
#include <fmt/format.h>
#include <algorithm>
#include <unordered_map>

#include "sim/config/diagnostics.hpp"
#include "sim/cost/estimator.hpp"
#include "sim/graph/prefault.hpp"

namespace socsim {

std::vector<EstimatorInfo>& estimator_registry() {
  static std::vector<EstimatorInfo> registry;
  return registry;
}

static void sort_registry() {
  auto& r = estimator_registry();
  std::stable_sort(r.begin(), r.end(), [](const EstimatorInfo& a, const EstimatorInfo& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.name < b.name;
  });
}

std::vector<std::string> estimator_names() {
  sort_registry();
  std::vector<std::string> names;
  for (const EstimatorInfo& e : estimator_registry()) names.push_back(e.name);
  return names;
}

EstimatorRegistration::EstimatorRegistration(std::string name, std::string summary, int priority,
                                             std::function<std::unique_ptr<Estimator>()> make) {
  estimator_registry().push_back({std::move(name), std::move(summary), priority, std::move(make)});
}

CostModel::CostModel() {
  sort_registry();
  const auto& r = estimator_registry();
  for (size_t i = 0; i < r.size(); ++i)
    estimators_.emplace_back(static_cast<uint8_t>(i), r[i].make());
}

OpCost CostModel::estimate(const TaskGraph& g, OpId id, const PlatformSpec& p) const {
  for (const auto& [index, est] : estimators_) {
    if (!est->applies(g.op(id))) continue;
    OpCost c = est->estimate(g, id, p);
    c.estimator = index;
    return c;
  }
  throw InputError({}, fmt::format("no cost estimator applies to op '{}' (kind {})", g.name(id),
                                   kOpKindNames[static_cast<size_t>(g.op(id).kind)]));
}

namespace {

// What a shape-only estimate reads of an op (Estimator::shape_only). Part lists are named by
// where they are stored, which ops with equal lists share (TaskGraph::add).
struct ShapeKey {
  uint32_t first_part;
  uint16_t num_parts, launches;
  Placement place;
  double fixed_time, compute_scale;
  bool operator==(const ShapeKey& o) const {
    return first_part == o.first_part && num_parts == o.num_parts && launches == o.launches &&
           place.count == o.place.count && place.unit == o.place.unit &&
           place.cores == o.place.cores && fixed_time == o.fixed_time &&
           compute_scale == o.compute_scale;
  }
};
struct ShapeKeyHash {
  size_t operator()(const ShapeKey& k) const {
    size_t h = size_t{k.first_part} ^ (size_t{k.num_parts} << 32 | size_t{k.launches} << 48);
    h = h * 1099511628211ull ^ k.place.count;
    for (size_t i = 0; i < k.place.unit.size(); ++i)  // unused entries are 0 (Placement's default)
      h = h * 1099511628211ull ^ (size_t{k.place.unit[i]} << 8 | k.place.cores[i]);
    return h ^ std::hash<double>()(k.fixed_time) ^ std::hash<double>()(k.compute_scale) << 1;
  }
};

}  // namespace

std::vector<OpCost> CostModel::estimate_all(const TaskGraph& g, const PlatformSpec& p) const {
  std::vector<OpCost> costs;
  reserve_prefaulted(costs, g.size());
  std::unordered_map<ShapeKey, OpCost, ShapeKeyHash> shared;
  for (OpId i = 0; i < g.size(); ++i) {
    const Op& op = g.op(i);
    const auto est = std::find_if(estimators_.begin(), estimators_.end(),
                                  [&](const auto& e) { return e.second->applies(op); });
    if (est == estimators_.end() || !est->second->shape_only()) {
      costs.push_back(estimate(g, i, p));  // estimate() reports an op no estimator takes
      continue;
    }
    const ShapeKey key{op.first_part, op.num_parts,  op.launches,
                       op.place,      op.fixed_time, op.compute_scale};
    auto [it, fresh] = shared.try_emplace(key);
    if (fresh) {
      it->second = est->second->estimate(g, i, p);
      it->second.estimator = est->first;
    }
    costs.push_back(it->second);
  }
  return costs;
}

}  // namespace socsim
