// Estimator registry and the cost model that dispatches to estimators; see estimator.hpp.
#include <fmt/format.h>
#include <algorithm>

#include "sim/config/diagnostics.hpp"
#include "sim/cost/estimator.hpp"

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

std::vector<OpCost> CostModel::estimate_all(const TaskGraph& g, const PlatformSpec& p) const {
  std::vector<OpCost> costs(g.size());
  for (OpId i = 0; i < g.size(); ++i) costs[i] = estimate(g, i, p);
  return costs;
}

}  // namespace socsim
