// Input loading for one design point; see inputs.hpp.
#include "sim/driver/inputs.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>

#include "sim/config/describe.hpp"
#include "sim/config/overrides.hpp"
#include "sim/config/yaml_reader.hpp"
#include "sim/driver/input_cache.hpp"

namespace socsim {
namespace fs = std::filesystem;

std::vector<std::string> shipped_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(SOCSIM_DATA_DIR) / dir, ec))
    if (e.path().extension() == ".yaml" || e.path().extension() == ".json")
      names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string resolve_input(const std::string& name, const std::string& dir,
                          const std::string& option, Diagnostics& diags) {
  if (fs::exists(name) && fs::is_regular_file(name)) return name;
  for (const char* ext : {".yaml", ".json"}) {
    fs::path p = fs::path(SOCSIM_DATA_DIR) / dir / (name + ext);
    if (fs::exists(p)) return p.string();
  }
  std::vector<std::string> names = shipped_names(dir);
  std::string hint = closest_match(name, names);
  for (const std::string& n : names)
    if (hint.empty() && n.rfind(name, 0) == 0) hint = n;  // a prefix of a shipped name
  std::string all;
  for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
  diags.error({option},
              fmt::format("no such file, and no shipped {} of that name{} (shipped: {})", dir,
                          hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), all));
  return {};
}

void apply_policy_defaults(Policy& p) {
  Diagnostics d;
  YamlReader r("policy defaults", YAML::Node(YAML::NodeType::Map), d, false);
  r.read_root([&](FieldVisitor& v) { p.visit_params(v); });
  if (d.has_errors())
    throw std::logic_error("policy declares a required parameter without default: " +
                           d.to_string());
}

LoadedRun load_run(const RunRequest& req, InputCache* cache) {
  Diagnostics d;
  LoadedRun run;
  auto resolve = [&](const std::string& name, const std::string& dir, const std::string& option) {
    return cache ? cache->resolve(name, dir, option, d) : resolve_input(name, dir, option, d);
  };
  run.hw = std::make_unique<HwSpec>();
  run.hw_path = resolve(req.hw, "hwprofiles", "--hw " + req.hw);
  run.model_path = resolve(req.model, "models", "--model " + req.model);
  SourceMap hw_where, model_where;
  if (!run.hw_path.empty())
    *run.hw = cache ? cache->hw(run.hw_path, d, &hw_where) : read_hw(run.hw_path, d, &hw_where);
  if (!run.model_path.empty())
    run.model = cache ? cache->model(run.model_path, d, &model_where)
                      : read_model(run.model_path, d, &model_where);
  run.policy_name = req.policy;
  if (const PolicyInfo* info = find_policy(req.policy)) {
    run.policy = info->make();
    apply_policy_defaults(*run.policy);
  } else {
    std::vector<std::string> names = policy_names();
    std::string hint = closest_match(req.policy, names), all;
    for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
    d.error({"--policy " + req.policy},
            fmt::format("unknown policy '{}'{} (registered: {})", req.policy,
                        hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), all));
  }
  // The workload's declared defaults, read once per process.
  static const Workload kDefaults = [] {
    Workload w;
    Diagnostics wd;
    YamlReader r("workload defaults", YAML::Node(YAML::NodeType::Map), wd, false);
    r.read_root([&](FieldVisitor& v) { visit_workload(v, w); });
    return w;
  }();
  run.workload = kDefaults;
  std::vector<Override> ovs;
  for (const std::string& s : req.sets)
    if (auto o = parse_override(s, d)) ovs.push_back(*o);
  check_override_roots(ovs, {"hw", "model", "policy", "workload", "engine", "session"}, d);
  SourceMap session_where;
  if (!req.session.empty()) {
    run.session_path = resolve(req.session, "experiments/sessions", "--session " + req.session);
    if (!run.session_path.empty()) {
      run.session = read_session(run.session_path, d, &session_where);
      apply_overrides(
          "session", ovs, [&](FieldVisitor& v) { visit_session(v, run.session); }, d);
    }
  } else {
    for (const Override& o : ovs)
      if (o.root == "session")
        d.error({"--set " + o.spelled()}, "session parameters need a session (--session FILE)");
  }
  // Overrides of an input that failed to load would only repeat its errors.
  if (!run.hw_path.empty())
    apply_overrides(
        "hw", ovs, [&](FieldVisitor& v) { visit_hw(v, *run.hw); }, d);
  if (!run.model_path.empty())
    apply_overrides(
        "model", ovs, [&](FieldVisitor& v) { visit_model(v, run.model); }, d);
  if (run.policy)
    apply_overrides(
        "policy", ovs, [&](FieldVisitor& v) { run.policy->visit_params(v); }, d);
  apply_overrides(
      "workload", ovs, [&](FieldVisitor& v) { visit_workload(v, run.workload); }, d);
  // The engine profile the policy names (after its overrides), read like the hardware profile.
  SourceMap engine_where;
  const std::string engine = run.policy ? run.policy->engine() : std::string();
  if (!engine.empty()) {
    run.engine_path = resolve(engine, "hwprofiles/engines", "--set policy.engine=" + engine);
    if (!run.engine_path.empty()) {
      run.engine = cache ? cache->engine(run.engine_path, d, &engine_where)
                         : read_engine(run.engine_path, d, &engine_where);
      apply_overrides(
          "engine", ovs, [&](FieldVisitor& v) { visit_engine(v, run.engine); }, d);
    }
  } else {
    for (const Override& o : ovs)
      if (o.root == "engine")
        d.error({"--set " + o.spelled()},
                fmt::format("policy '{}' runs on no engine profile (set policy.engine first)",
                            run.policy_name));
  }
  for (const Override& o : ovs) {
    if (o.root == "hw") hw_where.record(o.path, {"--set " + o.spelled()});
    if (o.root == "model") model_where.record(o.path, {"--set " + o.spelled()});
    if (o.root == "engine") engine_where.record(o.path, {"--set " + o.spelled()});
    if (o.root == "session") session_where.record(o.path, {"--set " + o.spelled()});
  }
  if (!d.has_errors()) {
    finalize_hw(*run.hw, run.hw_path, d, hw_where);
    finalize_model(run.model, run.model_path, d, model_where);
    if (!run.engine_path.empty())
      apply_engine(*run.hw, run.engine, run.engine_path, d, engine_where);
    if (!run.session_path.empty())
      finalize_session(run.session, run.session_path, d, session_where);
  }
  d.throw_if_errors();
  return run;
}

std::string resolved_config(LoadedRun& run) {
  std::string out = "hw:\n";
  auto indent = [](const std::string& text) {
    std::string r;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      if (nl > pos) r += "  " + text.substr(pos, nl - pos) + "\n";
      pos = nl + 1;
    }
    return r;
  };
  out += indent(write_resolved([&](FieldVisitor& v) { visit_hw(v, *run.hw); }));
  out += "model:\n" + indent(write_resolved([&](FieldVisitor& v) { visit_model(v, run.model); }));
  out += "policy:\n  name: " + run.policy_name + "\n" +
         indent(write_resolved([&](FieldVisitor& v) { run.policy->visit_params(v); }));
  if (!run.engine_path.empty())
    out += "engine:  # applied to hw above\n" +
           indent(write_resolved([&](FieldVisitor& v) { visit_engine(v, run.engine); }));
  out += "workload:\n" +
         indent(write_resolved([&](FieldVisitor& v) { visit_workload(v, run.workload); }));
  if (!run.session_path.empty())
    out += "session:\n" +
           indent(write_resolved([&](FieldVisitor& v) { visit_session(v, run.session); }));
  return out;
}

}  // namespace socsim
