// Declare-once parameter schema. A spec struct describes its fields in one `visit(FieldVisitor&,
// Spec&)` function: key, type, unit, default, bounds and a sentence of meaning. Different visitors
// then read it from YAML (strictly), apply `--set PATH=VALUE` overrides, print `describe` tables,
// and write the resolved configuration, so the four can never drift apart.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/units.hpp"

namespace socsim {

struct FieldInfo {
  std::string_view help;
  // Text of the default value, parsed with the field's unit. nullopt means required, unless
  // `derived` is set: then the field may be omitted and is computed from other fields.
  std::optional<std::string_view> default_text = std::nullopt;
  double min = -std::numeric_limits<double>::infinity();  // SI, inclusive
  double max = std::numeric_limits<double>::infinity();   // SI, inclusive
  bool derived = false;
  // Where the default comes from, in the provenance tag grammar of input comments
  // (sim/provenance/tag_parser.hpp), e.g. "assumption [0.5, 0.95]: ..."; empty = untagged.
  std::string_view provenance = {};
};

// Sentinel for a derived quantity left unset in the input.
inline constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();

class FieldVisitor;

// Type-erased access to a name -> entry mapping or a list of entries (e.g. CPU clusters, DVFS
// states) so that visitors can create, enumerate and visit entries of any spec type.
class EntryList {
 public:
  virtual ~EntryList() = default;
  virtual size_t size() const = 0;
  virtual std::string name(size_t i) const = 0;  // "" for plain lists
  virtual void add(std::string name) = 0;
  virtual void visit(size_t i, FieldVisitor& v) = 0;
  virtual void visit_prototype(FieldVisitor& v) = 0;  // a default entry, for `describe`
};

class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void quantity(std::string_view key, double& v, Dim dim, const FieldInfo& info) = 0;
  virtual void integer(std::string_view key, int64_t& v, const FieldInfo& info) = 0;
  virtual void flag(std::string_view key, bool& v, const FieldInfo& info) = 0;
  virtual void text(std::string_view key, std::string& v, const FieldInfo& info) = 0;
  virtual void choice(std::string_view key, std::string& v,
                      std::span<const std::string_view> options, const FieldInfo& info) = 0;
  // Nested mapping. If `present` is non-null the section is optional and *present tells whether it
  // was given; otherwise it is required.
  virtual void section(std::string_view key, const FieldInfo& info, bool* present,
                       const std::function<void(FieldVisitor&)>& body) = 0;
  // A mapping of user-chosen names to entries (named = true) or a sequence of entries.
  virtual void entries(std::string_view key, const FieldInfo& info, bool named,
                       EntryList& list) = 0;
  // A sequence of [x, y] points, e.g. an efficiency table over problem size.
  virtual void curve(std::string_view key, std::vector<std::pair<double, double>>& points, Dim x,
                     Dim y, const FieldInfo& info) = 0;
  // A sequence of numbers, e.g. per-layer active fractions.
  virtual void numbers(std::string_view key, std::vector<double>& values, Dim dim,
                       const FieldInfo& info) = 0;
};

// Adapts std::vector<std::pair<std::string, T>> (named) or std::vector<T> (plain) to EntryList.
template <class T, class Container>
class EntryListOf final : public EntryList {
 public:
  using VisitFn = void (*)(FieldVisitor&, T&);
  EntryListOf(Container& c, VisitFn fn) : c_(c), fn_(fn) {}
  size_t size() const override { return c_.size(); }
  std::string name(size_t i) const override {
    if constexpr (std::is_same_v<typename Container::value_type, T>)
      return {};
    else
      return c_[i].first;
  }
  void add(std::string name) override {
    if constexpr (std::is_same_v<typename Container::value_type, T>)
      c_.emplace_back();
    else
      c_.emplace_back(std::move(name), T{});
  }
  void visit(size_t i, FieldVisitor& v) override { fn_(v, get(i)); }
  void visit_prototype(FieldVisitor& v) override {
    T proto{};
    fn_(v, proto);
  }

 private:
  T& get(size_t i) {
    if constexpr (std::is_same_v<typename Container::value_type, T>)
      return c_[i];
    else
      return c_[i].second;
  }
  Container& c_;
  VisitFn fn_;
};

template <class T>
void named_entries(FieldVisitor& v, std::string_view key, const FieldInfo& info,
                   std::vector<std::pair<std::string, T>>& c, void (*fn)(FieldVisitor&, T&)) {
  EntryListOf<T, std::vector<std::pair<std::string, T>>> list(c, fn);
  v.entries(key, info, true, list);
}

template <class T>
void list_entries(FieldVisitor& v, std::string_view key, const FieldInfo& info, std::vector<T>& c,
                  void (*fn)(FieldVisitor&, T&)) {
  EntryListOf<T, std::vector<T>> list(c, fn);
  v.entries(key, info, false, list);
}

// An enum field stored as an enum, read and written through its names.
template <class E, size_t N>
void enum_field(FieldVisitor& v, std::string_view key, E& e,
                const std::array<std::string_view, N>& names, const FieldInfo& info) {
  std::string s(names[static_cast<size_t>(e)]);
  v.choice(key, s, std::span<const std::string_view>(names.data(), N), info);
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) e = static_cast<E>(i);
}

// Looks up a piecewise-linear curve at x, interpolating in log(x) when both ends are positive and
// clamping outside the table. An empty curve gives `fallback`.
double interpolate_curve(const std::vector<std::pair<double, double>>& points, double x,
                         double fallback);

}  // namespace socsim
