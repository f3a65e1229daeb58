// Override application by path; see overrides.hpp.
#include "sim/config/overrides.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>

#include "sim/config/yaml_reader.hpp"

namespace socsim {
namespace {

// Text that YAML reads as a plain scalar of the same text (or as null, which is then taken as
// that text too): letters, digits and . _ + - / % only.
bool plain_scalar(const std::string& v) {
  if (v.empty()) return false;
  for (char c : v)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '+' &&
        c != '-' && c != '/' && c != '%')
      return false;
  return true;
}

class OverrideVisitor final : public FieldVisitor {
 public:
  // With `collect_only`, nothing is applied: the visit only lists every path (for hints).
  OverrideVisitor(std::string root, std::vector<Override>& ovs, Diagnostics& diags,
                  bool collect_only = false)
      : root_(std::move(root)), ovs_(ovs), diags_(diags), collect_only_(collect_only) {}

  std::vector<std::string> all_paths;

  void quantity(std::string_view key, double& v, Dim dim, const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.quantity(key, v, dim, info); });
  }
  void integer(std::string_view key, int64_t& v, const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.integer(key, v, info); });
  }
  void flag(std::string_view key, bool& v, const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.flag(key, v, info); });
  }
  void text(std::string_view key, std::string& v, const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.text(key, v, info); });
  }
  void choice(std::string_view key, std::string& v, std::span<const std::string_view> options,
              const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.choice(key, v, options, info); });
  }
  void curve(std::string_view key, std::vector<std::pair<double, double>>& points, Dim x, Dim y,
             const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.curve(key, points, x, y, info); });
  }
  void numbers(std::string_view key, std::vector<double>& values, Dim dim,
               const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.numbers(key, values, dim, info); });
  }
  void section(std::string_view key, const FieldInfo&, bool* present,
               const std::function<void(FieldVisitor&)>& body) override {
    if (present && !*present) {
      if (collect_only_) return;
      const std::string p = join(key);
      for (Override& o : ovs_)
        if (o.root == root_ && !o.used && (o.path == p || o.path.rfind(p + ".", 0) == 0)) {
          o.used = true;
          diags_.error(
              {"--set " + o.spelled()},
              fmt::format("cannot set '{}.{}': the section '{}.{}' is not present in the input",
                          root_, o.path, root_, p));
        }
      return;
    }
    if (!collect_only_ && !may_enter(key)) return;
    prefix_.push_back(std::string(key));
    body(*this);
    prefix_.pop_back();
  }
  void entries(std::string_view key, const FieldInfo&, bool named, EntryList& list) override {
    if (!collect_only_ && !may_enter(key)) return;
    prefix_.push_back(std::string(key));
    for (size_t i = 0; i < list.size(); ++i) {
      prefix_.push_back(named ? list.name(i) : std::to_string(i));
      list.visit(i, *this);
      prefix_.pop_back();
    }
    prefix_.pop_back();
  }

 private:
  std::string join(std::string_view key) const {
    std::string p;
    for (const std::string& s : prefix_) p += s + ".";
    return p + std::string(key);
  }
  // Whether an override of this root may name the field `key` (its path ends with it): a cheap
  // test before the field's full path is built, which most fields of a spec never need.
  bool may_match(std::string_view key) const {
    for (const Override& o : ovs_) {
      const std::string_view path(o.path);
      if (o.root == root_ && path.size() >= key.size() &&
          path.substr(path.size() - key.size()) == key &&
          (path.size() == key.size() || path[path.size() - key.size() - 1] == '.'))
        return true;
    }
    return false;
  }
  // Whether an override of this root may name a field inside the section or list `key` (its path
  // has the section's full path as a prefix): a spec's visit then walks only the sections that
  // lead to an override, not every field of a hardware profile.
  bool may_enter(std::string_view key) const {
    const std::string inside = join(key) + ".";
    for (const Override& o : ovs_)
      if (o.root == root_ && o.path.rfind(inside, 0) == 0) return true;
    return false;
  }
  void apply(std::string_view key, const std::function<void(FieldVisitor&)>& field) {
    if (collect_only_) {
      all_paths.push_back(join(key));
      return;
    }
    if (!may_match(key)) return;
    std::string p = join(key);
    for (Override& o : ovs_) {
      if (o.root != root_ || o.path != p) continue;
      o.used = true;
      std::string label = "--set " + o.spelled();
      YAML::Node value;
      try {
        // A plain word ("600MHz", "0.85", "true") is the scalar YAML would parse it into; only
        // other text (lists, quotes, spaces) goes through the YAML parser, which costs more.
        value = plain_scalar(o.value) ? YAML::Node(o.value) : YAML::Load(o.value);
      } catch (const YAML::Exception& e) {
        diags_.error({label}, fmt::format("{}: cannot parse the value: {}", p, e.msg));
        continue;
      }
      // An empty or null value is text to parse (and reject) like any other, not "absent".
      if (!value.IsDefined() || value.IsNull()) value.reset(YAML::Node(o.value));
      // Nest the value under the path's sections so that messages name the full path.
      YAML::Node doc(YAML::NodeType::Map);
      doc[std::string(key)] = value;
      for (auto it = prefix_.rbegin(); it != prefix_.rend(); ++it) {
        YAML::Node outer(YAML::NodeType::Map);
        outer[*it] = doc;
        doc.reset(outer);
      }
      YamlReader reader(label, doc, diags_, false);
      reader.read_root([&](FieldVisitor& r) { nest(r, 0, field); });
    }
  }
  void nest(FieldVisitor& r, size_t depth, const std::function<void(FieldVisitor&)>& field) {
    if (depth == prefix_.size()) return field(r);
    r.section(prefix_[depth], {""}, nullptr, [&](FieldVisitor& w) { nest(w, depth + 1, field); });
  }

  std::string root_;
  std::vector<Override>& ovs_;
  Diagnostics& diags_;
  bool collect_only_;
  std::vector<std::string> prefix_;
};

}  // namespace

static std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::optional<Override> parse_override(const std::string& text, Diagnostics& diags) {
  size_t eq = text.find('=');
  std::string path = trimmed(text.substr(0, eq));
  bool ok = eq != std::string::npos && path.find('.') != std::string::npos && path.front() != '.' &&
            path.back() != '.' && path.find("..") == std::string::npos &&
            path.find_first_of(" \t") == std::string::npos;
  if (!ok) {
    diags.error({"--set " + text},
                "expected PATH=VALUE with a dotted PATH, e.g. hw.npu.clock=600MHz");
    return std::nullopt;
  }
  Override o;
  size_t dot = path.find('.');
  o.root = path.substr(0, dot);
  o.path = path.substr(dot + 1);
  o.value = trimmed(text.substr(eq + 1));
  return o;
}

void apply_overrides(const std::string& root, std::vector<Override>& overrides,
                     const std::function<void(FieldVisitor&)>& body, Diagnostics& diags) {
  bool any = false;
  for (const Override& o : overrides) any = any || o.root == root;
  if (!any) return;
  OverrideVisitor apply(root, overrides, diags);
  body(apply);
  bool unused = false;
  for (const Override& o : overrides) unused = unused || (o.root == root && !o.used);
  if (!unused) return;
  // Only for the messages: every path, to find the closest one.
  OverrideVisitor v(root, overrides, diags, /*collect_only=*/true);
  body(v);
  for (Override& o : overrides) {
    if (o.root != root || o.used) continue;
    o.used = true;
    std::string inside;  // first parameter below o.path, when o.path names a section or an entry
    for (const std::string& p : v.all_paths)
      if (inside.empty() && p.rfind(o.path + ".", 0) == 0) inside = p;
    std::string hint = closest_match(o.path, v.all_paths);
    std::string msg;
    if (!inside.empty())
      msg =
          fmt::format("'{}.{}' is a section, not a parameter; set one of its fields, e.g. '{}.{}'",
                      root, o.path, root, inside);
    else if (!hint.empty())
      msg =
          fmt::format("unknown parameter '{}.{}'; did you mean '{}.{}'?", root, o.path, root, hint);
    else
      msg = fmt::format("unknown parameter '{}.{}' (see `socsim describe {}`)", root, o.path, root);
    diags.error({"--set " + o.spelled()}, msg);
  }
}

void check_override_roots(const std::vector<Override>& overrides,
                          const std::vector<std::string>& roots, Diagnostics& diags) {
  for (const Override& o : overrides) {
    bool ok = false;
    for (const std::string& r : roots) ok = ok || r == o.root;
    if (ok) continue;
    std::string hint = closest_match(o.root, roots);
    std::string all;
    for (const std::string& r : roots) all += (all.empty() ? "" : ", ") + r;
    diags.error({"--set " + o.spelled()},
                fmt::format("unknown parameter root '{}'{} (one of: {})", o.root,
                            hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), all));
  }
}

}  // namespace socsim
