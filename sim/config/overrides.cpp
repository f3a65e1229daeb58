// Override application by path; see overrides.hpp.
#include "sim/config/overrides.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/config/yaml_reader.hpp"

namespace socsim {
namespace {

class OverrideVisitor final : public FieldVisitor {
 public:
  OverrideVisitor(std::string root, std::vector<Override>& ovs, Diagnostics& diags)
      : root_(std::move(root)), ovs_(ovs), diags_(diags) {}

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
  void numbers(std::string_view key, std::vector<double>& values, Dim dim, const FieldInfo& info) override {
    apply(key, [&](FieldVisitor& r) { r.numbers(key, values, dim, info); });
  }
  void section(std::string_view key, const FieldInfo&, bool* present,
               const std::function<void(FieldVisitor&)>& body) override {
    std::string p = join(key);
    if (present && !*present) {
      for (Override& o : ovs_)
        if (o.root == root_ && !o.used && (o.path == p || o.path.rfind(p + ".", 0) == 0)) {
          o.used = true;
          diags_.error({"--set " + o.spelled()}, fmt::format("'{}.{}' is not present in this {} input, so '{}.{}' cannot be set", root_, p, root_, root_, o.path));
        }
      return;
    }
    prefix_.push_back(std::string(key));
    body(*this);
    prefix_.pop_back();
  }
  void entries(std::string_view key, const FieldInfo&, bool named, EntryList& list) override {
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
  void apply(std::string_view key, const std::function<void(FieldVisitor&)>& field) {
    std::string p = join(key);
    all_paths.push_back(p);
    for (Override& o : ovs_) {
      if (o.root != root_ || o.path != p) continue;
      o.used = true;
      YAML::Node doc(YAML::NodeType::Map);
      try {
        doc[std::string(key)] = YAML::Load(o.value);
      } catch (const YAML::Exception& e) {
        diags_.error({"--set " + o.spelled()}, "cannot parse the value: " + e.msg);
        continue;
      }
      if (doc[std::string(key)].IsNull()) doc[std::string(key)] = o.value;
      YamlReader reader("--set " + o.spelled(), doc, diags_, false);
      reader.read_root(field);
    }
  }

  std::string root_;
  std::vector<Override>& ovs_;
  Diagnostics& diags_;
  std::vector<std::string> prefix_;
};

}  // namespace

std::optional<Override> parse_override(const std::string& text, Diagnostics& diags) {
  size_t eq = text.find('=');
  size_t dot = text.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq || eq + 1 > text.size()) {
    diags.error({"--set " + text}, "expected PATH=VALUE with PATH like hw.npu.clock");
    return std::nullopt;
  }
  Override o;
  o.root = text.substr(0, dot);
  o.path = text.substr(dot + 1, eq - dot - 1);
  o.value = text.substr(eq + 1);
  return o;
}

void apply_overrides(const std::string& root, std::vector<Override>& overrides,
                     const std::function<void(FieldVisitor&)>& body, Diagnostics& diags) {
  OverrideVisitor v(root, overrides, diags);
  body(v);
  for (Override& o : overrides) {
    if (o.root != root || o.used) continue;
    o.used = true;
    std::string hint = closest_match(o.path, v.all_paths);
    diags.error({"--set " + o.spelled()},
                hint.empty() ? fmt::format("unknown parameter '{}.{}' (see `socsim describe {}`)", root, o.path, root)
                             : fmt::format("unknown parameter '{}.{}'; did you mean '{}.{}'?", root, o.path, root, hint));
  }
}

void check_override_roots(const std::vector<Override>& overrides, const std::vector<std::string>& roots,
                          Diagnostics& diags) {
  for (const Override& o : overrides) {
    bool ok = false;
    for (const std::string& r : roots) ok = ok || r == o.root;
    if (ok) continue;
    std::string hint = closest_match(o.root, roots);
    std::string all;
    for (const std::string& r : roots) all += (all.empty() ? "" : ", ") + r;
    diags.error({"--set " + o.spelled()}, fmt::format("unknown parameter root '{}'{} (one of: {})", o.root,
                                                      hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), all));
  }
}

}  // namespace socsim
