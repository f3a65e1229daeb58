// Strict YAML reader: a FieldVisitor that fills a spec from a YAML document. Every key must be
// declared by the spec (unknown keys get "did you mean" and the list of valid keys), duplicate keys
// are errors, missing required keys point at their parent mapping, and values are parsed with
// their units and checked against their bounds. All problems are collected into Diagnostics with
// file:line:col, in source order; reading goes on after an error so one run reports them all.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"

namespace socsim {

class YamlReader final : public FieldVisitor {
 public:
  // `file` labels diagnostics. With `locations` false, line/column are not reported (used for
  // values that come from the command line rather than a file).
  YamlReader(std::string file, YAML::Node root, Diagnostics& diags, bool locations = true);

  // Reads the root mapping with `body`, then reports keys of the root that `body` did not declare.
  void read_root(const std::function<void(FieldVisitor&)>& body);
  // Records where every key read was written (optional).
  void record_locations(SourceMap* map) { where_ = map; }

  void quantity(std::string_view key, double& v, Dim dim, const FieldInfo& info) override;
  void integer(std::string_view key, int64_t& v, const FieldInfo& info) override;
  void flag(std::string_view key, bool& v, const FieldInfo& info) override;
  void text(std::string_view key, std::string& v, const FieldInfo& info) override;
  void choice(std::string_view key, std::string& v, std::span<const std::string_view> options,
              const FieldInfo& info) override;
  void section(std::string_view key, const FieldInfo& info, bool* present,
               const std::function<void(FieldVisitor&)>& body) override;
  void entries(std::string_view key, const FieldInfo& info, bool named, EntryList& list) override;
  void curve(std::string_view key, std::vector<std::pair<double, double>>& points, Dim x, Dim y,
             const FieldInfo& info) override;
  void numbers(std::string_view key, std::vector<double>& values, Dim dim,
               const FieldInfo& info) override;

 private:
  struct Frame {
    YAML::Node node;
    std::string path;  // dotted path of this mapping, "" at the root
    std::vector<std::string> declared;
  };
  // Finds `key` in the current mapping and records it as declared. Returns an undefined node when
  // absent.
  YAML::Node child(std::string_view key);
  SourceLoc loc(const YAML::Node& n) const;
  // Where a value is reported: the value itself, or its key when the value is empty (null values
  // carry the position of the next token).
  SourceLoc value_loc(const YAML::Node& n) const;
  std::string path_of(std::string_view key) const;
  void enter(YAML::Node node, std::string path);
  void leave();
  bool scalar_or_error(const YAML::Node& n, std::string_view key);
  // Parses a quantity from a scalar node; reports and returns false on error.
  bool parse_scalar(const YAML::Node& n, std::string_view key, Dim dim, const FieldInfo& info,
                    double& out);
  bool parse_default(std::string_view key, Dim dim, const FieldInfo& info, double& out);
  void check_duplicates(const YAML::Node& map, const std::string& path);
  void missing(std::string_view key, const FieldInfo& info, std::string_view what = "key");
  // True when `n` (the value of `key`) is absent; then reports it if the field is required.
  bool absent(const YAML::Node& n, std::string_view key, const FieldInfo& info);

  std::string file_;
  YAML::Node root_;
  Diagnostics& out_;   // receives this reader's diagnostics, in source order, after read_root
  Diagnostics diags_;  // collected while reading
  bool locations_;
  std::vector<Frame> stack_;
  SourceMap* where_ = nullptr;
  YAML::Node last_key_, last_value_;  // the last pair child() found
};

// Loads a YAML (or JSON) file; syntax errors are reported with their location and give nullopt.
std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diags);
// The two halves of load_yaml_file, for readers that also need the raw text (comments): the text
// of a file ("cannot open file" otherwise), and YAML text parsed as if read from `path`.
std::optional<std::string> read_input_text(const std::string& path, Diagnostics& diags);
std::optional<YAML::Node> parse_yaml_text(const std::string& text, const std::string& path,
                                          Diagnostics& diags);

// Reads the spec file `path` through its declaration `visit` (hardware profiles, engine profiles,
// experiments): problems go to diags, key locations to `where` when given.
template <class Spec>
Spec read_spec_file(const std::string& path, void (*visit)(FieldVisitor&, Spec&),
                    Diagnostics& diags, SourceMap* where = nullptr) {
  Spec s;
  if (std::optional<YAML::Node> root = load_yaml_file(path, diags)) {
    YamlReader r(path, *root, diags);
    r.record_locations(where);
    r.read_root([&](FieldVisitor& v) { visit(v, s); });
  }
  return s;
}

}  // namespace socsim
