// Up-front checks of a sweep's values; see sweep_validate.hpp.
#include "sim/sweep/sweep_validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "sim/driver/source_hash.hpp"
#include "sim/sweep/sweep_dir.hpp"

namespace socsim {
namespace {

constexpr size_t kMaxContexts = 64;

// A value set on a run, with where the sweep file gives it.
struct Setting {
  std::string path, key;  // key: how messages name it, e.g. "product.hw.npu.clock"
  SweepValue value;
};

std::string label_of(const std::string& path, const std::string& text) {
  if (path == "hw" || path == "model" || path == "policy" || path == "session")
    return "--" + path + " " + text;
  return "--set " + path + "=" + text;
}

class Checker {
 public:
  Checker(const SweepPlan& plan, InputCache& cache) : plan_(plan), cache_(cache) {
    const SweepSpec& s = plan.spec();
    base_ = {{"hw", "base.hw", s.hw},
             {"model", "base.model", s.model},
             {"policy", "base.policy", s.policy}};
    if (!s.session.text.empty()) base_.push_back({"session", "base.session", s.session});
    for (const SweepValue& v : s.sets) {
      const size_t eq = v.text.find('=');
      base_.push_back({v.text.substr(0, eq), "base.sets", {v.text.substr(eq + 1), v.loc}});
    }
  }

  // Loads the base with `settings`; empty diagnostics when it loads.
  Diagnostics load(const std::vector<Setting>& settings) {
    std::vector<Setting> all = base_;
    all.insert(all.end(), settings.begin(), settings.end());
    RunRequest req;
    for (const Setting& s : all) {
      if (s.path == "hw")
        req.hw = s.value.text;
      else if (s.path == "model")
        req.model = s.value.text;
      else if (s.path == "policy")
        req.policy = s.value.text;
      else if (s.path == "session")
        req.session = s.value.text;
      else if (s.path != "backend")
        req.sets.push_back(s.path + "=" + s.value.text);
    }
    Diagnostics out;
    try {
      load_run(req, &cache_);
    } catch (const InputError& e) {
      // Locate each problem at the sweep-file value it comes from (the last setting with its
      // label wins, as the last override does).
      for (const Diagnostic& d : e.diagnostics().all()) {
        const Setting* from = nullptr;
        for (const Setting& s : all)
          if (label_of(s.path, s.value.text) == d.loc.file) from = &s;
        if (from) out.note({from->key}, d.message);  // what the problem is, whatever the value
        if (from)
          out.error(from->value.loc,
                    fmt::format("{}: {}: {}", from->key, from->value.text, d.message));
        else
          out.error(d.loc, d.message);
      }
    }
    return out;
  }

  // Adds the errors of a load; one that an axis has already reported for another of its values
  // (a misspelt path says the same for every value) is left out. Each error is preceded by a
  // note holding its axis key and the message without the value.
  void report(const Diagnostics& d) {
    std::string same;
    for (const Diagnostic& x : d.all()) {
      if (x.severity == Severity::kNote) {
        same = x.loc.file + "\n" + x.message;
        continue;
      }
      const bool fresh = seen_.insert(same.empty() ? x.to_string() : same).second;
      same.clear();
      if (fresh) diags_.error(x.loc, x.message);
    }
  }

  // Checks a unit of settings in every context of the input axes it depends on; reports the
  // first context's problems if no context accepts it.
  void check(const std::vector<Setting>& unit) {
    std::vector<std::vector<Setting>> contexts{{}};
    for (const std::string& root : depends_on(unit)) {
      const auto it = passing_.find(root);
      if (it == passing_.end()) continue;  // no such input axis: the base's value
      if (it->second.empty()) return;      // every value of that axis failed: reported there
      std::vector<std::vector<Setting>> wider;
      for (const auto& c : contexts)
        for (const Setting& r : it->second) {
          if (wider.size() == kMaxContexts) break;
          wider.push_back(c);
          wider.back().push_back(r);
        }
      contexts = std::move(wider);
    }
    Diagnostics first;
    for (size_t i = 0; i < contexts.size(); ++i) {
      std::vector<Setting> settings = contexts[i];
      settings.insert(settings.end(), unit.begin(), unit.end());
      Diagnostics d = load(settings);
      if (!d.has_errors()) return;
      if (i == 0) first = d;
    }
    report(first);
  }

  // The input axes (hw, model, policy) whose value a unit's parameters depend on and that it does
  // not set itself.
  static std::set<std::string> depends_on(const std::vector<Setting>& unit) {
    std::set<std::string> roots, sets;
    for (const Setting& s : unit) {
      const std::string root = axis_root(s.path);
      if (is_input_axis(s.path))
        sets.insert(s.path);
      else if (root == "engine")
        roots.insert("policy");
      else if (root != "workload")
        roots.insert(root);
    }
    for (const std::string& s : sets) roots.erase(s);
    return roots;
  }

  void run() {
    report(load({}));
    if (diags_.has_errors()) return;  // everything else would repeat the base's problems
    const SweepSpec& s = plan_.spec();
    // Input axes first: their values that load are the contexts of the others.
    std::vector<std::vector<Setting>> units;
    auto axis_units = [&](const SweepAxis& a, const std::string& key) {
      std::set<std::string> done;
      for (const SweepValue& v : a.values)
        if (done.insert(v.text).second) units.push_back({{a.path, key, v}});
    };
    for (const SweepAxis& a : s.product) axis_units(a, "product." + a.path);
    for (size_t g = 0; g < s.zips.size(); ++g)
      for (size_t k = 0; k < s.zips[g].front().values.size(); ++k) {
        std::vector<Setting> tuple;
        for (const SweepAxis& a : s.zips[g])
          tuple.push_back({a.path, fmt::format("zip.{}.{}", g, a.path), a.values[k]});
        units.push_back(tuple);
      }
    for (const char* root : {"hw", "model", "policy", "session"}) {
      bool axis = false;
      for (const auto& u : units)
        for (const Setting& x : u) axis = axis || x.path == root;
      if (!axis) continue;
      std::vector<Setting>& pass = passing_[root];
      std::set<std::string> done;
      for (const auto& u : units) {
        const auto it =
            std::find_if(u.begin(), u.end(), [&](const Setting& x) { return x.path == root; });
        if (it == u.end() || !done.insert(it->value.text).second) continue;
        const Diagnostics d = load({*it});
        if (d.has_errors())
          report(d);
        else
          pass.push_back(*it);
      }
    }
    for (const auto& u : units)
      if (!(u.size() == 1 && passing_.count(u[0].path))) check(u);
    if (!s.seeds.path.empty())
      for (int64_t seed : {s.seeds.start, s.seeds.start + s.seeds.count - 1})
        check({{s.seeds.path, "seeds.path", {std::to_string(seed), s.seeds.loc}}});
    for (size_t i = 0; i < s.points.size(); ++i) {
      std::vector<Setting> point;
      for (const auto& [path, v] : s.points[i].values)
        point.push_back({path, fmt::format("points.{}.{}", i, path), v});
      report(load(point));
    }
  }

  const Diagnostics& diags() const { return diags_; }

 private:
  const SweepPlan& plan_;
  InputCache& cache_;
  std::vector<Setting> base_;
  std::map<std::string, std::vector<Setting>> passing_;  // input axis -> its values that load
  Diagnostics diags_;
  std::set<std::string> seen_;
};

}  // namespace

void validate_sweep(const SweepPlan& plan, InputCache& cache) {
  Checker c(plan, cache);
  c.run();
  Diagnostics d = c.diags();
  sort_by_location(d);
  d.throw_if_errors();
}

std::string sweep_environment(const InputCache& cache) {
  std::string s = fmt::format("simulator\t{}\n", source_hash());
  const std::string root = (std::filesystem::path(SOCSIM_DATA_DIR) / "").string();
  for (const std::string& path : cache.files()) {
    const std::string name = path.rfind(root, 0) == 0 ? path.substr(root.size()) : path;
    s += fmt::format("input\t{}\t{}\n", name, fnv1a_hex(read_file(path)));
  }
  return s;
}

}  // namespace socsim
