// Function-local scheduler registry; see scheduler.hpp.
#include <algorithm>

#include "sim/policy/scheduler.hpp"

namespace socsim {

std::vector<SchedulerInfo>& scheduler_registry() {
  static std::vector<SchedulerInfo> registry;
  return registry;
}

std::vector<std::string> scheduler_names() {
  std::vector<std::string> names;
  for (const SchedulerInfo& s : scheduler_registry()) names.push_back(s.name);
  std::sort(names.begin(), names.end());
  return names;
}

const SchedulerInfo* find_scheduler(const std::string& name) {
  for (const SchedulerInfo& s : scheduler_registry())
    if (s.name == name) return &s;
  return nullptr;
}

SchedulerRegistration::SchedulerRegistration(std::string name, std::string summary,
                                             std::function<std::unique_ptr<Scheduler>()> make) {
  scheduler_registry().push_back({std::move(name), std::move(summary), std::move(make)});
}

}  // namespace socsim
