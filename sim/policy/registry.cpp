// Function-local policy registry (no static-initialisation-order problems).
#include <algorithm>

#include "sim/policy/policy.hpp"

namespace socsim {

size_t Policy::select(std::span<const OpId> runnable, const SimView& view) const {
  const TaskGraph& g = view.graph;
  size_t best = 0;
  for (size_t i = 1; i < runnable.size(); ++i)
    if (g.op(runnable[i]).rank < g.op(runnable[best]).rank) best = i;
  return best;
}

std::vector<PolicyInfo>& policy_registry() {
  static std::vector<PolicyInfo> registry;
  return registry;
}

const PolicyInfo* find_policy(const std::string& name) {
  for (const PolicyInfo& p : policy_registry())
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const PolicyInfo& p : policy_registry()) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

PolicyRegistration::PolicyRegistration(std::string name, std::string summary,
                                       std::function<std::unique_ptr<Policy>()> make) {
  policy_registry().push_back({std::move(name), std::move(summary), std::move(make)});
}

}  // namespace socsim
