// Strict reading of sweep files; see sweep_spec.hpp.
#include "sim/sweep/sweep_spec.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "sim/config/yaml_reader.hpp"
#include "sim/sweep/value_range.hpp"

namespace socsim {
namespace {

constexpr size_t kMaxAxisValues = 1000000;
const std::vector<std::string> kInputAxes = {"hw", "model", "policy", "backend", "session"};
const std::vector<std::string> kParamRoots = {"hw",     "model",    "policy",
                                              "engine", "workload", "session"};
const std::vector<std::string> kBackends = {"simgrid", "analytic"};

std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class SweepReader {
 public:
  SweepReader(std::string file, Diagnostics& d) : file_(std::move(file)), d_(d) {}

  SourceLoc loc(const YAML::Node& n) const {
    if (!n.IsDefined() || n.Mark().is_null()) return {file_, 0, 0};
    return {file_, n.Mark().line + 1, n.Mark().column + 1};
  }

  // Checks that `n` (the value of `where`) is a mapping with no duplicate keys and, when
  // `allowed` is given, no undeclared key.
  bool mapping(const YAML::Node& n, const std::string& where,
               const std::vector<std::string>* allowed) {
    if (!n.IsMap()) {
      d_.error(loc(n), fmt::format("'{}' must be a mapping, not {}", where, kind(n)));
      return false;
    }
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      const std::string full = where.empty() ? k : where + "." + k;
      auto [it, fresh] = seen.emplace(k, loc(kv.first).line);
      if (!fresh) {
        d_.error(loc(kv.first),
                 fmt::format("duplicate key '{}' (first given on line {})", full, it->second));
        continue;
      }
      if (!allowed || std::find(allowed->begin(), allowed->end(), k) != allowed->end()) continue;
      const std::string hint = closest_match(k, *allowed);
      d_.error(loc(kv.first),
               hint.empty()
                   ? fmt::format("unknown key '{}' (valid keys here: {})", full, joined(*allowed))
                   : fmt::format("unknown key '{}'; did you mean '{}'?", full, hint));
    }
    return true;
  }

  std::optional<SweepValue> scalar(const YAML::Node& n, const std::string& key) {
    if (n.IsScalar() && !n.Scalar().empty()) return SweepValue{n.Scalar(), loc(n)};
    if (n.IsNull() || n.IsScalar())
      d_.error(loc(n), fmt::format("'{}' has no value", key));
    else
      d_.error(loc(n), fmt::format("'{}' must be a single value, not {}", key, kind(n)));
    return std::nullopt;
  }

  // An axis or override path: hw/model/policy/backend (when `inputs`), or ROOT.PARAM.
  bool path(const std::string& p, const SourceLoc& at, const std::string& key, bool inputs) {
    if (inputs && std::find(kInputAxes.begin(), kInputAxes.end(), p) != kInputAxes.end())
      return true;
    const size_t dot = p.find('.');
    const std::string root = p.substr(0, dot);
    const bool shape = dot != std::string::npos && dot > 0 && p.back() != '.' &&
                       p.find("..") == std::string::npos &&
                       p.find_first_of(" \t=") == std::string::npos;
    if (shape && std::find(kParamRoots.begin(), kParamRoots.end(), root) != kParamRoots.end())
      return true;
    std::vector<std::string> roots = kParamRoots;
    std::string hint = closest_match(root, roots);
    if (hint.empty() && inputs) hint = closest_match(p, kInputAxes);
    d_.error(at, fmt::format("{}: '{}' is not a parameter path{}; use {}ROOT.PARAM with ROOT one "
                             "of {} (see `socsim describe ROOT`)",
                             key, p, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                             inputs ? "hw, model, policy, backend, session, or " : "",
                             joined(kParamRoots)));
    return false;
  }

  // The values of an axis: a list of single values or a range mapping.
  std::vector<SweepValue> values(const YAML::Node& n, const std::string& key) {
    std::vector<SweepValue> out;
    if (n.IsSequence()) {
      for (const YAML::Node& item : n)
        if (auto v = scalar(item, key + " value")) out.push_back(*v);
      if (n.size() == 0) d_.error(loc(n), fmt::format("'{}' has no values", key));
      return out;
    }
    if (!n.IsMap()) {
      d_.error(loc(n), fmt::format("'{}' must be a list of values or a range {{from, to, step | "
                                   "count | factor}}, not {}",
                                   key, kind(n)));
      return out;
    }
    static const std::vector<std::string> kRangeKeys = {"from", "to", "step", "count", "factor"};
    if (!mapping(n, key, &kRangeKeys)) return out;
    RangeSpec r;
    auto text = [&](const char* k) -> std::optional<std::string> {
      if (!n[k].IsDefined()) return std::nullopt;
      auto v = scalar(n[k], key + "." + k);
      return v ? std::optional<std::string>(v->text) : std::nullopt;
    };
    const auto from = text("from"), to = text("to");
    if (!n["from"].IsDefined() || !n["to"].IsDefined()) {
      d_.error(loc(n), fmt::format("the range '{}' needs from and to", key));
      return out;
    }
    if (!from || !to) return out;
    r.from = *from, r.to = *to, r.step = text("step"), r.factor = text("factor");
    if (auto c = text("count")) {
      char* end = nullptr;
      const long long v = std::strtoll(c->c_str(), &end, 10);
      if (*end != '\0' || c->empty()) {
        d_.error(loc(n["count"]), fmt::format("{}.count: '{}' is not a whole number", key, *c));
        return out;
      }
      r.count = v;
    }
    const RangeResult res = expand_range(r, kMaxAxisValues);
    if (!res.error.empty()) d_.error(loc(n), fmt::format("{}: {}", key, res.error));
    for (const std::string& v : res.values) out.push_back({v, loc(n)});
    return out;
  }

  // One axis `path: values` of a product or zip mapping.
  std::optional<SweepAxis> axis(const YAML::Node& key, const YAML::Node& value,
                                const std::string& where) {
    const std::string p = key.Scalar();
    const bool ok = path(p, loc(key), where + "." + p, true);
    SweepAxis a{p, loc(key), values(value, where + "." + p)};
    if (!ok || a.values.empty()) return std::nullopt;
    if (p == "backend") check_backends(a.values, where + "." + p);
    return a;
  }

  void check_backends(const std::vector<SweepValue>& vs, const std::string& key) {
    for (const SweepValue& v : vs)
      if (std::find(kBackends.begin(), kBackends.end(), v.text) == kBackends.end())
        d_.error(v.loc, fmt::format("{}: unknown backend '{}' (one of: {})", key, v.text,
                                    joined(kBackends)));
  }

  static std::string kind(const YAML::Node& n) {
    return n.IsMap()        ? "a mapping"
           : n.IsSequence() ? "a list"
           : n.IsScalar()   ? "a single value"
                            : "an empty value";
  }

  const std::string& file() const { return file_; }
  Diagnostics& diags() { return d_; }

 private:
  std::string file_;
  Diagnostics& d_;
};

void read_base(SweepReader& r, const YAML::Node& n, SweepSpec& s) {
  static const std::vector<std::string> kKeys = {"hw",      "model",   "policy",
                                                 "backend", "session", "sets"};
  if (!r.mapping(n, "base", &kKeys)) return;
  s.hw.loc = s.model.loc = s.policy.loc = s.backend.loc = s.session.loc =
      r.loc(n);  // defaults: the base itself
  for (auto [key, field] :
       {std::pair{"hw", &s.hw}, std::pair{"model", &s.model}, std::pair{"policy", &s.policy},
        std::pair{"backend", &s.backend}, std::pair{"session", &s.session}})
    if (n[key].IsDefined())
      if (auto v = r.scalar(n[key], std::string("base.") + key)) *field = *v;
  r.check_backends({s.backend}, "base.backend");
  const YAML::Node sets = n["sets"];
  if (!sets.IsDefined()) return;
  auto add = [&](const std::string& path, SweepValue v) {
    if (r.path(path, v.loc, "base.sets", false)) {
      v.text = path + "=" + v.text;
      s.sets.push_back(v);
    }
  };
  if (sets.IsMap()) {
    if (!r.mapping(sets, "base.sets", nullptr)) return;
    for (const auto& kv : sets)
      if (auto v = r.scalar(kv.second, "base.sets." + kv.first.Scalar()))
        add(kv.first.Scalar(), *v);
  } else if (sets.IsSequence()) {
    for (const YAML::Node& item : sets) {
      auto v = r.scalar(item, "base.sets entry");
      if (!v) continue;
      const size_t eq = v->text.find('=');
      if (eq == std::string::npos) {
        r.diags().error(v->loc, fmt::format("base.sets: '{}' is not PATH=VALUE", v->text));
        continue;
      }
      add(trimmed(v->text.substr(0, eq)), {trimmed(v->text.substr(eq + 1)), v->loc});
    }
  } else {
    r.diags().error(r.loc(sets),
                    "'base.sets' must be a mapping PATH: VALUE or a list of "
                    "PATH=VALUE");
  }
}

void read_seeds(SweepReader& r, const YAML::Node& n, SweepSpec& s) {
  static const std::vector<std::string> kKeys = {"path", "count", "start"};
  if (!r.mapping(n, "seeds", &kKeys)) return;
  auto whole = [&](const char* key, int64_t& out, int64_t min) {
    if (!n[key].IsDefined()) return;
    auto v = r.scalar(n[key], std::string("seeds.") + key);
    if (!v) return;
    char* end = nullptr;
    const long long x = std::strtoll(v->text.c_str(), &end, 10);
    if (v->text.empty() || *end != '\0' || x < min || x > (int64_t{1} << 40))
      r.diags().error(v->loc, fmt::format("seeds.{}: '{}' is not a whole number of at least {}",
                                          key, v->text, min));
    else
      out = x;
  };
  if (!n["path"].IsDefined() || !n["count"].IsDefined())
    r.diags().error(r.loc(n), "seeds needs path and count, e.g. {path: policy.seed, count: 5}");
  if (n["path"].IsDefined())
    if (auto v = r.scalar(n["path"], "seeds.path"))
      if (r.path(v->text, v->loc, "seeds.path", false))
        s.seeds.path = v->text, s.seeds.loc = v->loc;
  whole("count", s.seeds.count, 1);
  whole("start", s.seeds.start, 0);
  if (s.seeds.count > static_cast<int64_t>(kMaxAxisValues))
    r.diags().error(r.loc(n), fmt::format("seeds.count is above {}", kMaxAxisValues));
  if (s.seeds.count == 0) s.seeds.path.clear();
}

void read_points(SweepReader& r, const YAML::Node& n, SweepSpec& s) {
  if (!n.IsSequence()) {
    r.diags().error(r.loc(n), fmt::format("'points' must be a list of mappings PATH: VALUE, not {}",
                                          SweepReader::kind(n)));
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string where = fmt::format("points.{}", i);
    if (!r.mapping(n[i], where, nullptr)) continue;
    SweepPointSpec p{r.loc(n[i]), {}};
    for (const auto& kv : n[i]) {
      const std::string path = kv.first.Scalar();
      if (!r.path(path, r.loc(kv.first), where + "." + path, true)) continue;
      if (auto v = r.scalar(kv.second, where + "." + path)) {
        if (path == "backend") r.check_backends({*v}, where + ".backend");
        p.values.emplace_back(path, *v);
      }
    }
    s.points.push_back(std::move(p));
  }
}

// Every axis path names one column: no path twice across product, zip and seeds.
void check_columns(SweepReader& r, const SweepSpec& s) {
  std::map<std::string, SourceLoc> seen;
  auto add = [&](const std::string& path, const SourceLoc& at) {
    auto [it, fresh] = seen.emplace(path, at);
    if (!fresh)
      r.diags().error(at, fmt::format("the axis '{}' is already given on line {}; an axis varies "
                                      "in one place (product, one zip group or seeds)",
                                      path, it->second.line));
  };
  for (const SweepAxis& a : s.product) add(a.path, a.loc);
  for (const auto& group : s.zips)
    for (const SweepAxis& a : group) add(a.path, a.loc);
  if (!s.seeds.path.empty()) add(s.seeds.path, s.seeds.loc);
}

}  // namespace

void sort_by_location(Diagnostics& d) {
  std::vector<Diagnostic> items = d.all();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.loc.file, a.loc.line, a.loc.col) <
           std::tie(b.loc.file, b.loc.line, b.loc.col);
  });
  d = Diagnostics();
  for (Diagnostic& x : items) d.error(std::move(x.loc), std::move(x.message));
}

std::string axis_root(const std::string& path) {
  return path.substr(0, path.find('.'));
}

bool is_input_axis(const std::string& path) {
  return std::find(kInputAxes.begin(), kInputAxes.end(), path) != kInputAxes.end();
}

SweepSpec read_sweep(const std::string& file) {
  Diagnostics d;
  SweepSpec s;
  s.file = file;
  std::optional<YAML::Node> root = load_yaml_file(file, d);
  d.throw_if_errors();
  SweepReader r(file, d);
  static const std::vector<std::string> kKeys = {"schema_version", "name", "description", "base",
                                                 "product",        "zip",  "seeds",       "points"};
  if (!root->IsDefined() || root->IsNull()) {
    d.error({file, 0, 0}, "the document is empty; expected a sweep (name, base, product, ...)");
    d.throw_if_errors();
  }
  if (!r.mapping(*root, "", &kKeys)) d.throw_if_errors();
  const YAML::Node& n = *root;
  if (n["schema_version"].IsDefined())
    if (auto v = r.scalar(n["schema_version"], "schema_version"); v && v->text != "1")
      d.error(v->loc,
              fmt::format("schema_version: {} is not supported (this socsim reads 1)", v->text));
  if (!n["name"].IsDefined())
    d.error(r.loc(n), "missing required key 'name' (the sweep's name, used in its outputs)");
  else if (auto v = r.scalar(n["name"], "name"))
    s.name = v->text;
  if (n["description"].IsDefined())
    if (auto v = r.scalar(n["description"], "description")) s.description = v->text;
  if (!n["base"].IsDefined())
    d.error(r.loc(n),
            "missing required key 'base' (the run every point starts from: hw, model, "
            "policy, backend, sets)");
  else
    read_base(r, n["base"], s);
  if (n["product"].IsDefined() && r.mapping(n["product"], "product", nullptr))
    for (const auto& kv : n["product"])
      if (auto a = r.axis(kv.first, kv.second, "product")) s.product.push_back(*a);
  if (const YAML::Node z = n["zip"]; z.IsDefined()) {
    if (!z.IsSequence())
      d.error(r.loc(z),
              "'zip' must be a list of groups, each a mapping PATH: [values...] whose "
              "lists have one length");
    for (size_t g = 0; z.IsSequence() && g < z.size(); ++g) {
      const std::string where = fmt::format("zip.{}", g);
      if (!r.mapping(z[g], where, nullptr)) continue;
      std::vector<SweepAxis> group;
      for (const auto& kv : z[g])
        if (auto a = r.axis(kv.first, kv.second, where)) group.push_back(*a);
      for (const SweepAxis& a : group)
        if (a.values.size() != group.front().values.size())
          d.error(a.loc, fmt::format("{}.{} has {} values but {}.{} has {}: the lists of a zip "
                                     "group move together and need one length",
                                     where, a.path, a.values.size(), where, group.front().path,
                                     group.front().values.size()));
      if (!group.empty()) s.zips.push_back(std::move(group));
    }
  }
  if (n["seeds"].IsDefined()) read_seeds(r, n["seeds"], s);
  if (n["points"].IsDefined()) read_points(r, n["points"], s);
  check_columns(r, s);
  sort_by_location(d);
  d.throw_if_errors();
  return s;
}

}  // namespace socsim
