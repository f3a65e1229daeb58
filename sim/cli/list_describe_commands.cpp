// `socsim list` (profiles, models, policies, estimators) and `socsim describe NAME` (every
// parameter with type, unit, default, bounds and meaning), both generated from the code and the
// shipped files.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/cli/shipped_catalog.hpp"
#include "sim/config/describe.hpp"
#include "sim/cost/estimator.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/policy/scheduler.hpp"
#include "sim/provenance/provenance_report.hpp"
#include "sim/provenance/run_provenance.hpp"

namespace socsim::cli {
namespace {

void list_all() {
  std::cout << list_hw_profiles() << list_models();
  std::cout << "engine profiles (hwprofiles/engines/):\n";
  for (const std::string& n : shipped_names("hwprofiles/engines")) std::cout << "  " << n << "\n";
  std::cout << "policies:\n";
  for (const std::string& n : policy_names())
    std::cout << fmt::format("  {:<14} {}\n", n, find_policy(n)->summary);
  std::cout << "schedulers (run-time order of a policy's ready ops):\n";
  for (const std::string& n : scheduler_names())
    std::cout << fmt::format("  {:<14} {}\n", n, find_scheduler(n)->summary);
  std::cout << "estimators (asked in this order):\n";
  for (const std::string& n : estimator_names())
    for (const EstimatorInfo& e : estimator_registry())
      if (e.name == n) std::cout << fmt::format("  {:<14} {}\n", n, e.summary);
}

// `describe NAME --provenance`: a policy's declared defaults, or a shipped or path-named hardware
// profile, engine profile or model.
void describe_provenance(const std::string& name) {
  Diagnostics d;
  std::vector<ParameterProvenance> params;
  const std::string policy = name.rfind("policy.", 0) == 0 ? name.substr(7) : name;
  if (find_policy(policy)) {
    params = policy_provenance(policy, d);
  } else if (std::filesystem::is_regular_file(name)) {
    params = file_provenance(input_root(name, d), name, d);
  } else {
    for (const char* dir : {"hwprofiles", "models", "hwprofiles/engines"})
      for (const std::string& s : shipped_names(dir))
        if (s == name && params.empty()) {
          const std::string path = resolve_input(name, dir, "describe " + name, d);
          params = file_provenance(input_root(path, d), path, d);
        }
    if (params.empty() && !d.has_errors()) {
      std::vector<std::string> all;
      for (const std::string& p : policy_names()) all.push_back("policy." + p);
      for (const char* dir : {"hwprofiles", "models", "hwprofiles/engines"})
        for (const std::string& s : shipped_names(dir)) all.push_back(s);
      const std::string hint = closest_match(name, all);
      d.error({"describe " + name},
              fmt::format("--provenance needs a policy, a hardware profile, an engine profile or a "
                          "model (shipped name or path), not '{}'{}",
                          name, hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
    }
  }
  // The table also when some tags are malformed (they count as untagged): the errors that follow
  // list what to fix, and the exit code is still that of bad input.
  if (!params.empty()) std::cout << format_provenance(params) << std::flush;
  d.throw_if_errors();
}

void describe(const std::string& name) {
  std::string n = name;
  if (n == "hw") {
    HwSpec s;
    std::cout << format_param_table(describe_params([&](FieldVisitor& v) { visit_hw(v, s); }),
                                    "hw");
    return;
  }
  if (n == "model") {
    ModelSpec s;
    std::cout << format_param_table(describe_params([&](FieldVisitor& v) { visit_model(v, s); }),
                                    "model");
    return;
  }
  if (n == "engine") {
    EngineSpec s;
    std::cout << format_param_table(describe_params([&](FieldVisitor& v) { visit_engine(v, s); }),
                                    "engine");
    return;
  }
  if (n == "workload") {
    Workload w;
    std::cout << format_param_table(describe_params([&](FieldVisitor& v) { visit_workload(v, w); }),
                                    "workload");
    return;
  }
  if (n == "session") {
    SessionSpec s;
    std::cout << format_param_table(describe_params([&](FieldVisitor& v) { visit_session(v, s); }),
                                    "session");
    return;
  }
  if (n.rfind("policy.", 0) == 0) n = n.substr(7);
  if (const PolicyInfo* p = find_policy(n)) {
    std::cout << fmt::format("policy {}: {}\n", p->name, p->summary);
    auto pol = p->make();
    std::cout << format_param_table(describe_params([&](FieldVisitor& v) { pol->visit_params(v); }),
                                    "policy");
    return;
  }
  if (n.rfind("estimator.", 0) == 0) n = n.substr(10);
  for (const EstimatorInfo& e : estimator_registry())
    if (e.name == n) {
      std::cout << fmt::format("estimator {} (priority {}): {}\n", e.name, e.priority, e.summary);
      return;
    }
  for (const char* dir : {"hwprofiles", "models"})
    for (const std::string& s : shipped_names(dir))
      if (s == n) {
        RunRequest req;
        (std::string(dir) == "hwprofiles" ? req.hw : req.model) = n;
        LoadedRun run = load_run(req);
        std::cout << resolved_config(run);
        return;
      }
  std::vector<std::string> all{"hw", "model", "engine", "workload", "session"};
  for (const std::string& p : policy_names()) all.push_back("policy." + p);
  for (const std::string& e : estimator_names()) all.push_back("estimator." + e);
  for (const char* dir : {"hwprofiles", "models"})
    for (const std::string& s : shipped_names(dir)) all.push_back(s);
  std::string hint = closest_match(name, all), list;
  for (const std::string& a : all) list += (list.empty() ? "" : ", ") + a;
  throw InputError(
      {"describe " + name},
      fmt::format("nothing named '{}'{} (one of: {})", name,
                  hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), list));
}

}  // namespace

void add_list_command(CLI::App& app, int& exit_code) {
  CLI::App* sub =
      app.add_subcommand("list", "list hardware profiles, models, policies and estimators");
  sub->callback([&exit_code] {
    list_all();
    exit_code = 0;
  });
}

void add_describe_command(CLI::App& app, int& exit_code) {
  auto name = std::make_shared<std::string>();
  auto provenance = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand("describe",
                                     "describe parameters: hw, model, workload, policy.NAME, "
                                     "estimator.NAME, or a shipped profile/model");
  sub->add_option("name", *name, "what to describe")->required();
  sub->add_flag("--provenance", *provenance,
                "for a profile, engine profile, model (name or path) or policy: every number's "
                "provenance tag (measured, datasheet, assumption, untagged) and their shares");
  sub->callback([name, provenance, &exit_code] {
    if (*provenance)
      describe_provenance(*name);
    else
      describe(*name);
    exit_code = 0;
  });
}

}  // namespace socsim::cli
