// Function-local policy registry (no static-initialisation-order problems).
#include <algorithm>

#include "sim/policy/memory_plan.hpp"
#include "sim/policy/policy.hpp"

namespace socsim {

size_t Policy::select(std::span<const OpId> runnable, const SimView& view) const {
  const TaskGraph& g = view.graph;
  size_t best = 0;
  for (size_t i = 1; i < runnable.size(); ++i)
    if (g.op(runnable[i]).rank < g.op(runnable[best]).rank) best = i;
  return best;
}

double Policy::budget(const LowerContext& ctx, const MemoryPlan& plan) const {
  // An offloading policy run with an FFN offload share (and no --memory): the share, not a
  // budget, defines the run, so the budget is what the plan needs with that share in flash.
  if (can_offload() && offload_share_run(ctx.workload)) return plan.total();
  return memory_budget(ctx.model, ctx.hw, ctx.workload);
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
