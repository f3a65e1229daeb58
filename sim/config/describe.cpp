// Describe and resolved-config visitors; see describe.hpp.
#include "sim/config/describe.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <cmath>

namespace socsim {
namespace {

std::string bounds_of(const FieldInfo& info, Dim dim) {
  bool lo = std::isfinite(info.min), hi = std::isfinite(info.max);
  if (lo && hi)
    return fmt::format("[{}, {}]", format_quantity(info.min, dim), format_quantity(info.max, dim));
  if (lo) return fmt::format(">= {}", format_quantity(info.min, dim));
  if (hi) return fmt::format("<= {}", format_quantity(info.max, dim));
  return "";
}

std::string default_of(const FieldInfo& info) {
  if (info.default_text)
    return info.default_text->empty() ? "\"\"" : std::string(*info.default_text);
  return info.derived ? "derived" : "required";
}

class Describer final : public FieldVisitor {
 public:
  std::vector<ParamRow> rows;
  void quantity(std::string_view key, double&, Dim dim, const FieldInfo& info) override {
    add(key, std::string(dim_name(dim)), std::string(dim_si_symbol(dim)), info,
        bounds_of(info, dim));
  }
  void integer(std::string_view key, int64_t&, const FieldInfo& info) override {
    add(key, "integer", "", info, bounds_of(info, Dim::kNumber));
  }
  void flag(std::string_view key, bool&, const FieldInfo& info) override {
    add(key, "boolean", "", info, "");
  }
  void text(std::string_view key, std::string&, const FieldInfo& info) override {
    add(key, "text", "", info, "");
  }
  void choice(std::string_view key, std::string&, std::span<const std::string_view> options,
              const FieldInfo& info) override {
    std::string t = "one of ";
    for (size_t i = 0; i < options.size(); ++i) t += (i ? "|" : "") + std::string(options[i]);
    add(key, t, "", info, "");
  }
  void section(std::string_view key, const FieldInfo& info, bool* present,
               const std::function<void(FieldVisitor&)>& body) override {
    add(key, present ? "section (optional)" : "section", "",
        FieldInfo{info.help, std::string_view("-")}, "");
    prefix_.push_back(std::string(key));
    body(*this);
    prefix_.pop_back();
  }
  void entries(std::string_view key, const FieldInfo& info, bool named, EntryList& list) override {
    add(key, named ? "mapping of named entries" : "list of entries", "", info, "");
    prefix_.push_back(std::string(key));
    prefix_.push_back(named ? "<name>" : "<i>");
    list.visit_prototype(*this);
    prefix_.pop_back();
    prefix_.pop_back();
  }
  void curve(std::string_view key, std::vector<std::pair<double, double>>&, Dim x, Dim y,
             const FieldInfo& info) override {
    std::string_view ux = dim_si_symbol(x), uy = dim_si_symbol(y);
    std::string unit = ux.empty() && uy.empty()
                           ? std::string()
                           : fmt::format("{}, {}", ux.empty() ? "-" : ux, uy.empty() ? "-" : uy);
    add(key, fmt::format("table of [{}, {}]", dim_name(x), dim_name(y)), unit, info,
        bounds_of(info, y));
  }
  void numbers(std::string_view key, std::vector<double>&, Dim dim,
               const FieldInfo& info) override {
    add(key, fmt::format("list of {}", dim_name(dim)), std::string(dim_si_symbol(dim)), info,
        bounds_of(info, dim));
  }

 private:
  void add(std::string_view key, std::string type, std::string unit, const FieldInfo& info,
           std::string bounds) {
    std::string p;
    for (const std::string& s : prefix_) p += s + ".";
    rows.push_back({p + std::string(key), std::move(type), std::move(unit), default_of(info),
                    std::move(bounds), std::string(info.help)});
  }
  std::vector<std::string> prefix_;
};

class Writer final : public FieldVisitor {
 public:
  YAML::Emitter out;
  Writer() { out << YAML::BeginMap; }
  void quantity(std::string_view key, double& v, Dim dim, const FieldInfo&) override {
    // An unset (derived or unsupported) value is written as its absence, which reads back as unset.
    if (std::isnan(v)) return;
    out << YAML::Key << std::string(key) << YAML::Value << format_quantity(v, dim);
  }
  void integer(std::string_view key, int64_t& v, const FieldInfo&) override {
    out << YAML::Key << std::string(key) << YAML::Value << v;
  }
  void flag(std::string_view key, bool& v, const FieldInfo&) override {
    out << YAML::Key << std::string(key) << YAML::Value << v;
  }
  void text(std::string_view key, std::string& v, const FieldInfo&) override {
    out << YAML::Key << std::string(key) << YAML::Value << v;
  }
  void choice(std::string_view key, std::string& v, std::span<const std::string_view>,
              const FieldInfo&) override {
    out << YAML::Key << std::string(key) << YAML::Value << v;
  }
  void section(std::string_view key, const FieldInfo&, bool* present,
               const std::function<void(FieldVisitor&)>& body) override {
    if (present && !*present) return;
    out << YAML::Key << std::string(key) << YAML::Value << YAML::BeginMap;
    body(*this);
    out << YAML::EndMap;
  }
  void entries(std::string_view key, const FieldInfo&, bool named, EntryList& list) override {
    out << YAML::Key << std::string(key) << YAML::Value
        << (named ? YAML::BeginMap : YAML::BeginSeq);
    for (size_t i = 0; i < list.size(); ++i) {
      if (named) out << YAML::Key << list.name(i) << YAML::Value;
      out << YAML::BeginMap;
      list.visit(i, *this);
      out << YAML::EndMap;
    }
    out << (named ? YAML::EndMap : YAML::EndSeq);
  }
  void curve(std::string_view key, std::vector<std::pair<double, double>>& pts, Dim x, Dim y,
             const FieldInfo&) override {
    out << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (auto& [a, b] : pts)
      out << YAML::BeginSeq << format_quantity(a, x) << format_quantity(b, y) << YAML::EndSeq;
    out << YAML::EndSeq;
  }
  void numbers(std::string_view key, std::vector<double>& vs, Dim dim, const FieldInfo&) override {
    out << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (double v : vs) out << format_quantity(v, dim);
    out << YAML::EndSeq;
  }
};

}  // namespace

std::vector<ParamRow> describe_params(const std::function<void(FieldVisitor&)>& body) {
  Describer d;
  body(d);
  return d.rows;
}

std::string format_param_table(const std::vector<ParamRow>& rows, const std::string& root) {
  std::string out;
  for (const ParamRow& r : rows) {
    if (r.type.rfind("section", 0) == 0 || r.type.find("entries") != std::string::npos) {
      out += fmt::format("{}.{}  ({})\n    {}\n", root, r.path, r.type, r.help);
      continue;
    }
    out += fmt::format("{}.{}  {}{}  default: {}{}\n    {}\n", root, r.path, r.type,
                       r.unit.empty() ? "" : fmt::format(" [{}]", r.unit), r.default_,
                       r.bounds.empty() ? "" : fmt::format("  bounds: {}", r.bounds), r.help);
  }
  return out;
}

std::string write_resolved(const std::function<void(FieldVisitor&)>& body) {
  Writer w;
  body(w);
  w.out << YAML::EndMap;
  return std::string(w.out.c_str()) + "\n";
}

}  // namespace socsim
