// Point enumeration; see sweep_points.hpp.
#include "sim/sweep/sweep_points.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace socsim {
namespace {

constexpr size_t kMaxPoints = size_t{1} << 31;

size_t checked_mul(size_t a, size_t b, const SweepSpec& s) {
  if (b != 0 && a > kMaxPoints / b)
    throw InputError({s.file}, fmt::format("the sweep has more than {} points", kMaxPoints));
  return a * b;
}

// Values in definition text: tabs, newlines and backslashes escaped so each point is one line.
std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

}  // namespace

SweepPlan::SweepPlan(SweepSpec spec) : spec_(std::move(spec)) {
  for (size_t i = 0; i < spec_.product.size(); ++i) {
    add_column(spec_.product[i].path, {0, i, 0});
    dims_.push_back(spec_.product[i].values.size());
  }
  for (size_t g = 0; g < spec_.zips.size(); ++g) {
    for (size_t m = 0; m < spec_.zips[g].size(); ++m) add_column(spec_.zips[g][m].path, {1, g, m});
    dims_.push_back(spec_.zips[g].front().values.size());
  }
  for (const SweepPointSpec& p : spec_.points)
    for (const auto& [path, v] : p.values) {
      if (path == spec_.seeds.path)
        throw InputError(v.loc, fmt::format("'{}' is the seeds axis: every point runs each seed, "
                                            "so a point cannot set it",
                                            path));
      if (std::find(columns_.begin(), columns_.end(), path) == columns_.end())
        add_column(path, {2, 0, 0});
    }
  if (!spec_.seeds.path.empty()) {
    add_column(spec_.seeds.path, {3, 0, 0});
    for (int64_t i = 0; i < spec_.seeds.count; ++i)
      seed_values_.push_back({std::to_string(spec_.seeds.start + i), spec_.seeds.loc});
    seeds_ = seed_values_.size();
  }
  product_points_ = dims_.empty() ? (spec_.points.empty() ? 1 : 0) : 1;
  for (size_t d : dims_) product_points_ = checked_mul(product_points_, d, spec_);
  per_seed_ = product_points_ + spec_.points.size();
  size_ = checked_mul(per_seed_, seeds_, spec_);
}

void SweepPlan::add_column(const std::string& path, Source src) {
  columns_.push_back(path);
  sources_.push_back(src);
}

const SweepValue* SweepPlan::value(size_t point, size_t column) const {
  const Source& src = sources_[column];
  if (src.kind == 3) return &seed_values_[point % seeds_];
  const size_t base = point / seeds_;
  if (base >= product_points_) {
    for (const auto& [path, v] : spec_.points[base - product_points_].values)
      if (path == columns_[column]) return &v;
    return nullptr;
  }
  if (src.kind == 2) return nullptr;
  // Mixed-radix digits of `base`, the last dimension fastest.
  const size_t dim = src.kind == 0 ? src.index : spec_.product.size() + src.index;
  size_t rest = base;
  for (size_t d = dims_.size(); d-- > dim + 1;) rest /= dims_[d];
  const size_t digit = rest % dims_[dim];
  return src.kind == 0 ? &spec_.product[src.index].values[digit]
                       : &spec_.zips[src.index][src.member].values[digit];
}

RunRequest SweepPlan::request(size_t point) const {
  RunRequest req;
  req.hw = spec_.hw.text;
  req.model = spec_.model.text;
  req.policy = spec_.policy.text;
  req.session = spec_.session.text;
  for (const SweepValue& s : spec_.sets) req.sets.push_back(s.text);
  for (size_t c = 0; c < columns_.size(); ++c) {
    const SweepValue* v = value(point, c);
    if (!v) continue;
    const std::string& path = columns_[c];
    if (path == "hw")
      req.hw = v->text;
    else if (path == "model")
      req.model = v->text;
    else if (path == "policy")
      req.policy = v->text;
    else if (path == "session")
      req.session = v->text;
    else if (path != "backend")
      req.sets.push_back(path + "=" + v->text);
  }
  return req;
}

BackendKind SweepPlan::backend(size_t point) const {
  std::string b = spec_.backend.text;
  for (size_t c = 0; c < columns_.size(); ++c)
    if (columns_[c] == "backend")
      if (const SweepValue* v = value(point, c)) b = v->text;
  return b == "analytic" ? BackendKind::kAnalytic : BackendKind::kSimGrid;
}

std::string SweepPlan::definition() const {
  std::string s = "socsim sweep definition 1\n";
  s += "name\t" + escaped(spec_.name) + "\n";
  s += "base.hw\t" + escaped(spec_.hw.text) + "\n";
  s += "base.model\t" + escaped(spec_.model.text) + "\n";
  s += "base.policy\t" + escaped(spec_.policy.text) + "\n";
  s += "base.backend\t" + escaped(spec_.backend.text) + "\n";
  if (!spec_.session.text.empty()) s += "base.session\t" + escaped(spec_.session.text) + "\n";
  for (const SweepValue& v : spec_.sets) s += "base.set\t" + escaped(v.text) + "\n";
  s += "columns";
  for (const std::string& c : columns_) s += "\t" + escaped(c);
  s += fmt::format("\npoints\t{}\n", size_);
  for (size_t i = 0; i < size_; ++i) {
    s += std::to_string(i);
    for (size_t c = 0; c < columns_.size(); ++c) {
      const SweepValue* v = value(i, c);
      s += "\t" + (v ? escaped(v->text) : std::string());
    }
    s += "\n";
  }
  return s + environment_;
}

void SweepPlan::set_environment(std::string lines) {
  environment_ = std::move(lines);
  hash_.clear();
}

std::string SweepPlan::hash() const {
  if (hash_.empty()) hash_ = fnv1a_hex(definition());
  return hash_;
}

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string fnv1a_hex(std::string_view text) {
  return fmt::format("{:016x}", fnv1a64(text));
}

std::string index_ranges(const std::vector<size_t>& v, size_t max_items) {
  std::string s;
  size_t items = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (items++ == max_items) return s + ", ...";
    s += (s.empty() ? "" : ", ") +
         (j == i ? std::to_string(v[i]) : fmt::format("{}-{}", v[i], v[j]));
    i = j + 1;
  }
  return s;
}

}  // namespace socsim
