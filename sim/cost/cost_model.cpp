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

// What a shape-only estimate reads of an op (Estimator::shape_only); part lists are compared by
// their storage, which ops with equal lists share (TaskGraph::add).
struct ShapeKey {
  const OpPart* parts;
  uint16_t num_parts, launches;
  Placement place;
  double fixed_time, compute_scale;
  bool operator==(const ShapeKey& o) const {
    return parts == o.parts && num_parts == o.num_parts && launches == o.launches &&
           place.count == o.place.count && place.unit == o.place.unit &&
           place.cores == o.place.cores && fixed_time == o.fixed_time &&
           compute_scale == o.compute_scale;
  }
};
struct ShapeKeyHash {
  size_t operator()(const ShapeKey& k) const {
    size_t h = std::hash<const void*>()(k.parts) ^ (size_t{k.num_parts} << 48);
    for (uint8_t i = 0; i < k.place.count; ++i)
      h = h * 1099511628211ull ^ (size_t{k.place.unit[i]} << 8 | k.place.cores[i]);
    return h ^ std::hash<double>()(k.fixed_time) ^ std::hash<double>()(k.compute_scale) << 1;
  }
};

}  // namespace

std::vector<OpCost> CostModel::estimate_all(const TaskGraph& g, const PlatformSpec& p) const {
  std::vector<OpCost> costs;
  costs.reserve(g.size());
  prefault(costs.data(), g.size() * sizeof(OpCost));
  costs.resize(g.size());
  std::unordered_map<ShapeKey, OpCost, ShapeKeyHash> shared;
  for (OpId i = 0; i < g.size(); ++i) {
    const Op& op = g.op(i);
    const auto first = std::find_if(estimators_.begin(), estimators_.end(),
                                    [&](const auto& e) { return e.second->applies(op); });
    if (first == estimators_.end() || !first->second->shape_only()) {
      costs[i] = estimate(g, i, p);
      continue;
    }
    const ShapeKey key{g.parts(i).data(), op.num_parts,  op.launches,
                       op.place,          op.fixed_time, op.compute_scale};
    auto [it, fresh] = shared.try_emplace(key);
    if (fresh) it->second = estimate(g, i, p);
    costs[i] = it->second;
  }
  return costs;
}

}  // namespace socsim
