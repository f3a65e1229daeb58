// The metamorphic relations and their variants; see metamorphic.hpp.
#include "sim/check/metamorphic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/check/invariants.hpp"
#include "sim/sensitivity/perturb.hpp"

namespace socsim::check {
namespace {

const ParameterValue* value_at(const RandomPoint& p, const std::string& path) {
  const auto it = p.values.find(path);
  return it == p.values.end() ? nullptr : &it->second;
}

// `v` times `factor`, within its bounds; nullopt when the bound leaves it unchanged.
std::optional<ParameterValue> raised(const ParameterValue& v, double factor) {
  ParameterValue out = scaled(v, factor);
  bool changed = false;
  auto clamp = [&](double& y, double was) {
    y = std::min(y, v.max);
    changed |= y > was;
  };
  clamp(out.scalar, v.scalar);
  for (size_t i = 0; i < out.points.size(); ++i) clamp(out.points[i].second, v.points[i].second);
  for (size_t i = 0; i < out.values.size(); ++i) clamp(out.values[i], v.values[i]);
  if (!changed) return std::nullopt;
  return out;
}

std::string shown(const ParameterValue& v) {
  if (v.is_table()) return fmt::format("table of {} rows", v.rows());
  if (v.shape == ParameterValue::Shape::kInteger) return fmt::format("{:.0f}", v.scalar);
  return format_quantity(v.scalar, v.dim);
}

// A variant raising each of `paths` the point has by `factor`; nullopt when none can rise.
std::optional<Variant> raise(const RandomPoint& p, Relation rel,
                             const std::vector<std::string>& paths, double factor) {
  Variant v{rel, p.request, {}};
  for (const std::string& path : paths) {
    const ParameterValue* now = value_at(p, path);
    if (!now) continue;
    const std::optional<ParameterValue> up = raised(*now, factor);
    if (!up) continue;
    replace_set(v.request.sets, set_text(path, *up));
    v.change += fmt::format("{}{} {} -> {}", v.change.empty() ? "" : ", ", path, shown(*now),
                            now->is_table() ? fmt::format("x{:.3g}", factor) : shown(*up));
  }
  if (v.change.empty()) return std::nullopt;
  return v;
}

// The units of the point with a parameter `leaf` ("rated_clock"), as path prefixes ("hw.gpu.");
// DVFS states are not units.
std::vector<std::string> units_with(const RandomPoint& p, const std::string& leaf,
                                    const std::string& under = "hw.") {
  std::vector<std::string> prefixes;
  const std::string tail = "." + leaf;
  for (const auto& [path, value] : p.values)
    if (path.size() > tail.size() && path.rfind(under, 0) == 0 &&
        path.compare(path.size() - tail.size(), tail.size(), tail) == 0 &&
        path.find(".dvfs.") == std::string::npos)
      prefixes.push_back(path.substr(0, path.size() - leaf.size()));
  return prefixes;
}

}  // namespace

std::string_view relation_name(Relation r) {
  static constexpr std::string_view kNames[kRelations] = {
      "dram-bandwidth", "flash-bandwidth", "clock",         "cores",
      "memory-budget",  "prune-rate",      "longer-prompt", "more-gen"};
  return kNames[static_cast<size_t>(r)];
}

std::vector<Variant> applicable_variants(const RandomPoint& p, RandomStream& r) {
  std::vector<Variant> out;
  const double f = r.uniform(1.1, 2.0);
  if (auto v =
          raise(p, Relation::kDramBandwidth, {"hw.dram.bandwidth", "hw.dram.cpu_bandwidth"}, f))
    out.push_back(*v);
  if (auto v =
          raise(p, Relation::kFlashBandwidth,
                {"hw.flash.sequential_read", "hw.flash.random_read", "hw.flash.iops_limit"}, f))
    out.push_back(*v);
  if (const std::vector<std::string> units = units_with(p, "rated_clock"); !units.empty()) {
    // Profiles run at their top DVFS state and a clock must lie in the DVFS range, so the variant
    // lowers the clock: the base is the run at the higher clock.
    const std::string unit = units[r.pick(units.size())];
    const ParameterValue* clock = value_at(p, unit + "clock");
    const ParameterValue now = clock ? *clock : p.values.at(unit + "rated_clock");
    double lowest = -1;  // the lowest DVFS clock; without DVFS states, half the clock
    for (const auto& [path, value] : p.values)
      if (path.rfind(unit + "dvfs.", 0) == 0 && path.size() > 6 &&
          path.compare(path.size() - 6, 6, ".clock") == 0)
        lowest = lowest < 0 ? value.scalar : std::min(lowest, value.scalar);
    if (lowest < 0) lowest = now.scalar / 2;
    ParameterValue down = now;
    down.scalar = std::max({lowest, now.scalar / f, now.min});
    if (down.scalar < now.scalar) {
      Variant v{Relation::kClock, p.request, {}};
      replace_set(v.request.sets, set_text(unit + "clock", down));
      v.change = fmt::format("{}clock {} -> {}", unit, shown(now), shown(down));
      out.push_back(v);
    }
  }
  if (const std::vector<std::string> clusters = units_with(p, "cores", "hw.cpu.");
      !clusters.empty()) {
    // More cores of the same kind: the cluster's path to DRAM grows with them (a profile's port
    // bandwidth is its cores' memory-level parallelism), up to its bound.
    const std::string cluster = clusters[r.pick(clusters.size())];
    const ParameterValue& now = p.values.at(cluster + "cores");
    ParameterValue up = now;
    up.scalar = std::min(now.max, now.scalar + 1 + static_cast<double>(r.pick(4)));
    if (up.scalar > now.scalar) {
      Variant v{Relation::kCores, p.request, {}};
      replace_set(v.request.sets, set_text(cluster + "cores", up));
      v.change = fmt::format("{}cores {} -> {}", cluster, shown(now), shown(up));
      if (const ParameterValue* port = value_at(p, cluster + "port_bandwidth"))
        if (const std::optional<ParameterValue> wider = raised(*port, up.scalar / now.scalar)) {
          replace_set(v.request.sets, set_text(cluster + "port_bandwidth", *wider));
          v.change += fmt::format(", port_bandwidth {} -> {}", shown(*port), shown(*wider));
        }
      out.push_back(v);
    }
  }
  if (p.can_offload && p.memory_budget > 0 && p.memory_budget < p.dram_capacity * 0.99) {
    const double budget = std::min(p.memory_budget * f, p.dram_capacity);
    Variant v{Relation::kMemoryBudget, p.request, {}};
    replace_set(v.request.sets,
                fmt::format("workload.memory={}", format_quantity(budget, Dim::kBytes)));
    v.change =
        fmt::format("workload.memory {} -> {}", format_quantity(p.memory_budget, Dim::kBytes),
                    format_quantity(budget, Dim::kBytes));
    out.push_back(v);
  }
  if (const ParameterValue* rate = value_at(p, "policy.outlier_prune_rate");
      rate && rate->scalar < 1) {
    ParameterValue up = *rate;
    up.scalar = rate->scalar + r.uniform(0.1, 1.0) * (1 - rate->scalar);
    Variant v{Relation::kPruneRate, p.request, {}};
    replace_set(v.request.sets, set_text("policy.outlier_prune_rate", up));
    v.change = fmt::format("policy.outlier_prune_rate {:.6g} -> {:.6g}", rate->scalar, up.scalar);
    out.push_back(v);
  }
  {
    const int64_t prompt =
        p.prompt + std::max<int64_t>(1, std::llround(r.uniform(0.05, 1.0) * p.prompt));
    Variant v{Relation::kLongerPrompt, p.request, {}};
    replace_set(v.request.sets, fmt::format("workload.prompt={}", prompt));
    v.change = fmt::format("workload.prompt {} -> {}", p.prompt, prompt);
    out.push_back(v);
  }
  {
    const int64_t gen = p.gen + std::max<int64_t>(1, std::llround(r.uniform(0.05, 1.0) * p.gen));
    Variant v{Relation::kMoreGen, p.request, {}};
    replace_set(v.request.sets, fmt::format("workload.gen={}", gen));
    v.change = fmt::format("workload.gen {} -> {}", p.gen, gen);
    out.push_back(v);
  }
  for (size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[r.pick(i)]);  // shuffle
  return out;
}

std::string compare(Relation rel, const RunFigures& base, const RunFigures& variant) {
  auto grew = [](double before, double after) {
    return after > before * (1 + kRoundingTolerance) + 1e-15;
  };
  auto change = [](const char* what, double before, double after) {
    return fmt::format("{} {:.9g} s -> {:.9g} s ({:+.3g}%)", what, before, after,
                       before > 0 ? 100 * (after / before - 1) : 0.0);
  };
  switch (rel) {
    case Relation::kLongerPrompt:
      return grew(variant.ttft_s, base.ttft_s) ? change("TTFT fell:", base.ttft_s, variant.ttft_s)
                                               : "";
    case Relation::kClock:  // the variant runs at the lower clock
      if (grew(variant.total_s, base.total_s))
        return change("total time fell at the lower clock:", base.total_s, variant.total_s);
      if (grew(variant.ttft_s, base.ttft_s))
        return change("TTFT fell at the lower clock:", base.ttft_s, variant.ttft_s);
      return "";
    case Relation::kMoreGen:
      return grew(variant.total_s, base.total_s)
                 ? change("total time fell:", base.total_s, variant.total_s)
                 : "";
    case Relation::kPruneRate:
      return grew(base.ttft_s, variant.ttft_s) ? change("TTFT grew:", base.ttft_s, variant.ttft_s)
                                               : "";
    default:
      if (grew(base.total_s, variant.total_s))
        return change("total time grew:", base.total_s, variant.total_s);
      if (grew(base.ttft_s, variant.ttft_s))
        return change("TTFT grew:", base.ttft_s, variant.ttft_s);
      return "";
  }
}

}  // namespace socsim::check
