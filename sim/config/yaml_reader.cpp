// Strict YAML reading of declared fields; see yaml_reader.hpp.
#include "sim/config/yaml_reader.hpp"

#include "sim/config/file_text.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/config/yaml_comments.hpp"

namespace socsim {

YamlReader::YamlReader(std::string file, YAML::Node root, Diagnostics& diags, bool locations)
    : file_(std::move(file)), root_(std::move(root)), out_(diags), locations_(locations) {}

SourceLoc YamlReader::loc(const YAML::Node& n) const {
  if (!locations_ || !n.IsDefined() || n.Mark().is_null()) return {file_, 0, 0};
  return {file_, n.Mark().line + 1, n.Mark().column + 1};
}

SourceLoc YamlReader::value_loc(const YAML::Node& n) const {
  return n.IsNull() && last_value_.IsDefined() && n.is(last_value_) ? loc(last_key_) : loc(n);
}

std::string YamlReader::path_of(std::string_view key) const {
  const std::string& p = stack_.back().path;
  return p.empty() ? std::string(key) : p + "." + std::string(key);
}

void YamlReader::check_duplicates(const YAML::Node& map, const std::string& path) {
  std::map<std::string, YAML::Node> seen;
  for (const auto& kv : map) {
    std::string k = kv.first.Scalar();
    auto [it, fresh] = seen.emplace(k, kv.first);
    if (fresh) continue;
    SourceLoc first = loc(it->second);
    diags_.error(
        loc(kv.first),
        fmt::format("duplicate key '{}'{}", path.empty() ? k : path + "." + k,
                    first.line > 0 ? fmt::format(" (first given on line {})", first.line) : ""));
  }
}

void YamlReader::enter(YAML::Node node, std::string path) {
  check_duplicates(node, path);
  stack_.push_back({std::move(node), std::move(path), {}});
}

void YamlReader::leave() {
  Frame& f = stack_.back();
  std::set<std::string> reported;
  for (const auto& kv : f.node) {
    std::string k = kv.first.Scalar();
    if (std::find(f.declared.begin(), f.declared.end(), k) != f.declared.end()) continue;
    if (!reported.insert(k).second) continue;  // a repeated unknown key is already a duplicate
    std::string full = f.path.empty() ? k : f.path + "." + k;
    std::string hint = closest_match(k, f.declared);
    std::string valid;
    for (const std::string& d : f.declared) valid += (valid.empty() ? "" : ", ") + d;
    if (!hint.empty())
      diags_.error(loc(kv.first), fmt::format("unknown key '{}'; did you mean '{}'?", full, hint));
    else
      diags_.error(loc(kv.first),
                   fmt::format("unknown key '{}' (valid keys here: {})", full, valid));
  }
  stack_.pop_back();
}

void YamlReader::read_root(const std::function<void(FieldVisitor&)>& body) {
  if (!root_.IsDefined() || root_.IsNull())
    diags_.error(loc(root_), "the document is empty; expected a mapping of keys to values");
  else if (!root_.IsMap())
    diags_.error(loc(root_),
                 fmt::format("expected a mapping of keys to values at the top level, not {}",
                             root_.IsSequence() ? "a list" : "a single value"));
  else {
    enter(root_, "");
    body(*this);
    leave();
  }
  // Report in source order (stable: errors at one place keep the order of the declaration).
  std::vector<Diagnostic> items = diags_.all();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.loc.line, a.loc.col) < std::pair(b.loc.line, b.loc.col);
  });
  for (Diagnostic& d : items) out_.error(std::move(d.loc), std::move(d.message));  // errors only
  diags_ = Diagnostics();
}

YAML::Node YamlReader::child(std::string_view key) {
  Frame& f = stack_.back();
  f.declared.emplace_back(key);
  for (const auto& kv : f.node)
    if (kv.first.Scalar() == key) {
      last_key_.reset(kv.first);
      last_value_.reset(kv.second);
      if (where_) where_->record(path_of(key), loc(kv.first));
      return kv.second;
    }
  return YAML::Node(YAML::NodeType::Undefined);
}

void YamlReader::missing(std::string_view key, const FieldInfo& info, std::string_view what) {
  diags_.error(loc(stack_.back().node),
               fmt::format("missing required {} '{}' ({})", what, path_of(key), info.help));
}

bool YamlReader::absent(const YAML::Node& n, std::string_view key, const FieldInfo& info) {
  if (n.IsDefined()) return false;
  if (!info.default_text && !info.derived) missing(key, info);
  return true;
}

static std::string_view kind_of(const YAML::Node& n) {
  return n.IsMap()        ? "a mapping"
         : n.IsSequence() ? "a list"
         : n.IsScalar()   ? "a single value"
                          : "an empty value";
}

bool YamlReader::scalar_or_error(const YAML::Node& n, std::string_view key) {
  if (n.IsScalar()) return true;
  if (n.IsNull())
    diags_.error(value_loc(n), fmt::format("'{}' has no value", path_of(key)));
  else
    diags_.error(loc(n),
                 fmt::format("'{}' must be a single value, not {}", path_of(key), kind_of(n)));
  return false;
}

static bool in_bounds(double v, const FieldInfo& info) {
  return v >= info.min && v <= info.max;
}

static std::string bounds_text(const FieldInfo& info, Dim dim) {
  bool lo = std::isfinite(info.min), hi = std::isfinite(info.max);
  if (lo && hi && info.min == info.max) return format_quantity(info.min, dim);
  if (lo && hi)
    return fmt::format("between {} and {}", format_quantity(info.min, dim),
                       format_quantity(info.max, dim));
  if (lo) return fmt::format("at least {}", format_quantity(info.min, dim));
  return fmt::format("at most {}", format_quantity(info.max, dim));
}

bool YamlReader::parse_scalar(const YAML::Node& n, std::string_view key, Dim dim,
                              const FieldInfo& info, double& out) {
  if (!scalar_or_error(n, key)) return false;
  QuantityParse q = parse_quantity(n.Scalar(), dim);
  if (!q.value) {
    diags_.error(loc(n), fmt::format("{}: {}", path_of(key), q.error));
    return false;
  }
  if (!in_bounds(*q.value, info)) {
    diags_.error(loc(n), fmt::format("{}: {} is out of range; it must be {}", path_of(key),
                                     n.Scalar(), bounds_text(info, dim)));
    return false;
  }
  out = *q.value;
  return true;
}

bool YamlReader::parse_default(std::string_view key, Dim dim, const FieldInfo& info, double& out) {
  if (info.default_text) {
    QuantityParse q = parse_quantity(*info.default_text, dim);
    if (!q.value) {
      diags_.error({file_}, fmt::format("internal: the default of '{}' is invalid: {}",
                                        path_of(key), q.error));
      return false;
    }
    out = *q.value;
    return true;
  }
  if (info.derived) {
    out = kUnset;
    return true;
  }
  missing(key, info);
  return false;
}

void YamlReader::quantity(std::string_view key, double& v, Dim dim, const FieldInfo& info) {
  YAML::Node n = child(key);
  if (!n.IsDefined()) {
    parse_default(key, dim, info, v);
    return;
  }
  parse_scalar(n, key, dim, info, v);
}

void YamlReader::integer(std::string_view key, int64_t& v, const FieldInfo& info) {
  YAML::Node n = child(key);
  double d = static_cast<double>(v);
  if (!n.IsDefined()) {
    if (parse_default(key, Dim::kNumber, info, d) && !std::isnan(d)) v = static_cast<int64_t>(d);
    return;
  }
  if (!scalar_or_error(n, key)) return;
  // Any whole number is accepted, also in exponent form ("1e3"), up to 2^53 (exact in a double).
  QuantityParse q = parse_quantity(n.Scalar(), Dim::kNumber);
  if (!q.value || *q.value != std::floor(*q.value) || n.Scalar().find('%') != std::string::npos) {
    diags_.error(loc(n), fmt::format("{}: '{}' is not a whole number", path_of(key), n.Scalar()));
    return;
  }
  if (!in_bounds(*q.value, info)) {
    diags_.error(loc(n), fmt::format("{}: {} is out of range; it must be {}", path_of(key),
                                     n.Scalar(), bounds_text(info, Dim::kNumber)));
    return;
  }
  if (std::fabs(*q.value) > 9007199254740992.0) {
    diags_.error(loc(n),
                 fmt::format("{}: {} is too large for an integer", path_of(key), n.Scalar()));
    return;
  }
  v = static_cast<int64_t>(*q.value);
}

static std::optional<bool> parse_bool(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  return std::nullopt;
}

void YamlReader::flag(std::string_view key, bool& v, const FieldInfo& info) {
  YAML::Node n = child(key);
  if (absent(n, key, info)) {
    if (info.default_text) v = parse_bool(std::string(*info.default_text)).value_or(false);
    return;
  }
  if (!scalar_or_error(n, key)) return;
  std::optional<bool> b = parse_bool(n.Scalar());
  if (!b) {
    diags_.error(loc(n), fmt::format("{}: '{}' is not a boolean (use true or false)", path_of(key),
                                     n.Scalar()));
    return;
  }
  v = *b;
}

void YamlReader::text(std::string_view key, std::string& v, const FieldInfo& info) {
  YAML::Node n = child(key);
  if (absent(n, key, info)) {
    if (info.default_text) v = std::string(*info.default_text);
    return;
  }
  if (scalar_or_error(n, key)) v = n.Scalar();
}

void YamlReader::choice(std::string_view key, std::string& v,
                        std::span<const std::string_view> options, const FieldInfo& info) {
  YAML::Node n = child(key);
  if (absent(n, key, info)) {
    if (info.default_text) v = std::string(*info.default_text);
    return;
  }
  if (!scalar_or_error(n, key)) return;
  std::vector<std::string> opts(options.begin(), options.end());
  for (const std::string& o : opts)
    if (o == n.Scalar()) {
      v = o;
      return;
    }
  std::string all;
  for (const std::string& o : opts) all += (all.empty() ? "" : ", ") + o;
  std::string hint = closest_match(n.Scalar(), opts);
  diags_.error(loc(n),
               fmt::format("{}: unknown value '{}'{} (one of: {})", path_of(key), n.Scalar(),
                           hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), all));
}

void YamlReader::section(std::string_view key, const FieldInfo& info, bool* present,
                         const std::function<void(FieldVisitor&)>& body) {
  YAML::Node n = child(key);
  if (present) *present = false;
  if (!n.IsDefined() || n.IsNull()) {  // `key:` with nothing below counts as absent
    if (!present) missing(key, info, "section");
    return;
  }
  if (!n.IsMap()) {
    diags_.error(loc(n), fmt::format("'{}' must be a mapping of keys to values, not {}",
                                     path_of(key), kind_of(n)));
    return;
  }
  if (present) *present = true;
  enter(n, path_of(key));
  body(*this);
  leave();
}

void YamlReader::entries(std::string_view key, const FieldInfo& info, bool named, EntryList& list) {
  YAML::Node n = child(key);
  if (absent(n.IsNull() ? YAML::Node(YAML::NodeType::Undefined) : n, key, info)) return;
  std::string base = path_of(key);
  if (named) {
    if (!n.IsMap()) {
      diags_.error(loc(n), fmt::format("'{}' must be a mapping from names to entries, not {}", base,
                                       kind_of(n)));
      return;
    }
    enter(n, base);  // reports duplicate names; the names themselves are free-form
    std::set<std::string> seen;
    for (const auto& kv : n) {
      std::string name = kv.first.Scalar();
      stack_.back().declared.push_back(name);
      if (!kv.first.IsScalar() || name.empty()) {
        diags_.error(loc(kv.first), fmt::format("'{}': entry names must be plain text", base));
        continue;
      }
      if (!seen.insert(name).second) continue;  // duplicate, reported by enter()
      if (!kv.second.IsMap()) {
        diags_.error(kv.second.IsNull() ? loc(kv.first) : loc(kv.second),
                     fmt::format("'{}.{}' must be a mapping of keys to values, not {}", base, name,
                                 kind_of(kv.second)));
        continue;
      }
      list.add(name);
      if (where_) where_->record(base + "." + name, loc(kv.first));
      enter(kv.second, base + "." + name);
      list.visit(list.size() - 1, *this);
      leave();
    }
    leave();
    return;
  }
  if (!n.IsSequence()) {
    diags_.error(loc(n), fmt::format("'{}' must be a list, not {}", base, kind_of(n)));
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsMap()) {
      diags_.error(loc(n[i]), fmt::format("'{}.{}' must be a mapping of keys to values, not {}",
                                          base, i, kind_of(n[i])));
      continue;
    }
    list.add({});
    enter(n[i], fmt::format("{}.{}", base, i));
    list.visit(list.size() - 1, *this);
    leave();
  }
}

void YamlReader::curve(std::string_view key, std::vector<std::pair<double, double>>& points, Dim x,
                       Dim y, const FieldInfo& info) {
  YAML::Node n = child(key);
  if (absent(n, key, info)) return;
  if (!n.IsSequence()) {
    diags_.error(value_loc(n),
                 fmt::format("'{}' must be a list of [{}, {}] pairs, not {}", path_of(key),
                             dim_example(x), dim_example(y), kind_of(n)));
    return;
  }
  std::vector<std::pair<double, double>> read;  // assigned only when every point is valid
  int errors = diags_.error_count();
  FieldInfo xinfo{info.help};
  FieldInfo yinfo{info.help, std::nullopt, info.min, info.max};
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node p = n[i];
    if (!p.IsSequence() || p.size() != 2) {
      diags_.error(loc(p), fmt::format("'{}.{}' must be a pair [{}, {}]", path_of(key), i,
                                       dim_example(x), dim_example(y)));
      continue;
    }
    double a = 0, b = 0;
    bool ok_a = parse_scalar(p[0], key, x, xinfo, a);
    bool ok_b = parse_scalar(p[1], key, y, yinfo, b);
    if (!ok_a || !ok_b) continue;
    if (!read.empty() && a <= read.back().first)
      diags_.error(loc(p[0]),
                   fmt::format("{}: x values must increase ({} after {})", path_of(key),
                               format_quantity(a, x), format_quantity(read.back().first, x)));
    read.emplace_back(a, b);
  }
  if (diags_.error_count() == errors) points = std::move(read);
}

void YamlReader::numbers(std::string_view key, std::vector<double>& values, Dim dim,
                         const FieldInfo& info) {
  YAML::Node n = child(key);
  if (absent(n, key, info)) return;
  if (!n.IsSequence()) {
    diags_.error(value_loc(n),
                 fmt::format("'{}' must be a list, not {}", path_of(key), kind_of(n)));
    return;
  }
  std::vector<double> read;  // assigned only when every value is valid
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    double v = 0;
    ok = parse_scalar(n[i], key, dim, info, v) && ok;
    read.push_back(v);
  }
  if (ok) values = std::move(read);
}

std::optional<std::string> read_input_text(const std::string& path, Diagnostics& diags) {
  std::optional<std::string> text = read_file_text(path);
  if (!text) diags.error({path, 0, 0}, "cannot open file");
  return text;
}

std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diags) {
  const std::optional<std::string> text = read_input_text(path, diags);
  return text ? parse_yaml_text(*text, path, diags) : std::nullopt;
}

std::optional<YAML::Node> parse_yaml_text(const std::string& text, const std::string& path,
                                          Diagnostics& diags) {
  try {
    return YAML::Load(strip_yaml_comments(text));
  } catch (const YAML::Exception& e) {
    std::string msg = "syntax error: " + e.msg;
    // yaml-cpp often says "illegal map value" for a tab in indentation; name the real cause.
    std::istringstream lines(text);
    std::string line;
    for (int i = 0; i <= e.mark.line; ++i) std::getline(lines, line);
    if (e.msg.find("tab") == std::string::npos &&
        line.substr(0, line.find_first_not_of(" \t")).find('\t') != std::string::npos)
      msg += " (tabs are not allowed in indentation)";
    bool at = !e.mark.is_null();
    diags.error({path, at ? e.mark.line + 1 : 0, at ? e.mark.column + 1 : 0}, msg);
    return std::nullopt;
  }
}

}  // namespace socsim
