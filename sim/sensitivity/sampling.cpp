// Seeded draws of assumptions; see sampling.hpp.
#include "sim/sensitivity/sampling.hpp"

#include <cmath>
#include <random>

#include "sim/sensitivity/perturb.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace socsim {

double unit_draw(uint64_t seed, size_t sample, std::string_view path) {
  std::seed_seq seq{
      static_cast<uint32_t>(seed),          static_cast<uint32_t>(seed >> 32),
      static_cast<uint32_t>(sample),        static_cast<uint32_t>(uint64_t{sample} >> 32),
      static_cast<uint32_t>(fnv1a64(path)), static_cast<uint32_t>(fnv1a64(path) >> 32)};
  std::mt19937_64 rng(seq);
  return static_cast<double>(rng() >> 11) * 0x1p-53;  // 53 random bits, the same on every platform
}

double draw_in(const ProvenanceRange& r, double u) {
  if (r.lo > 0 && r.hi / r.lo >= 2) return r.lo * std::pow(r.hi / r.lo, u);
  return r.lo + u * (r.hi - r.lo);
}

bool is_sampled(const ParameterProvenance& p) {
  if (!p.value.is_table()) return p.kind == ProvenanceKind::kAssumption && p.range.has_value();
  for (const RowProvenance& r : p.rows)
    if (r.kind == ProvenanceKind::kAssumption && r.range) return true;
  return false;
}

std::vector<std::string> sample_sets(const std::vector<ParameterProvenance>& params, uint64_t seed,
                                     size_t sample) {
  std::vector<std::string> sets;
  for (const ParameterProvenance& p : params) {
    if (!is_sampled(p)) continue;
    const double u = unit_draw(seed, sample, p.path);
    ParameterValue v = p.value;
    if (p.value.is_table()) {
      for (size_t i = 0; i < p.rows.size(); ++i) {
        const RowProvenance& r = p.rows[i];
        if (r.kind != ProvenanceKind::kAssumption || !r.range) continue;
        std::vector<bool> row(p.rows.size(), false);
        row[i] = true;
        v = scaled(v, draw_in(*r.range, u), &row);
      }
    } else if (p.range->relative) {
      v = scaled(v, draw_in(*p.range, u));
    } else {
      v.scalar = draw_in(*p.range, u);
      if (v.shape == ParameterValue::Shape::kInteger) v.scalar = std::round(v.scalar);
    }
    sets.push_back(set_text(p.path, v));
  }
  return sets;
}

}  // namespace socsim
