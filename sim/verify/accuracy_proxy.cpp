// Accuracy proxy table; see accuracy_proxy.hpp.
#include "sim/verify/accuracy_proxy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace socsim::verify {

std::vector<ProxyRow> accuracy_proxy(const VerifyRequest& base,
                                     const std::vector<double>& prune_rates) {
  const int64_t layers = base.shape.layers;
  auto error_with = [&](std::vector<OutlierMode> modes) {
    VerifyRequest r = base;
    r.outliers = std::move(modes);
    return run_verify(r).logits;
  };
  std::vector<ProxyRow> rows;
  rows.push_back({"int8 per-tensor, outliers in scale", 0, 0, error_with({})});
  const std::vector<OutlierMode> all_shadow(static_cast<size_t>(layers), OutlierMode::kShadow);
  // Importance of each layer: the error when only it is pruned.
  std::vector<double> importance(static_cast<size_t>(layers));
  for (int64_t l = 0; l < layers; ++l) {
    std::vector<OutlierMode> m = all_shadow;
    m[static_cast<size_t>(l)] = OutlierMode::kClipped;
    importance[static_cast<size_t>(l)] = error_with(m).rel;
  }
  std::vector<int64_t> order(static_cast<size_t>(layers));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return importance[static_cast<size_t>(a)] < importance[static_cast<size_t>(b)];
  });
  for (double rate : prune_rates) {
    const int pruned = static_cast<int>(std::lround(rate * static_cast<double>(layers)));
    std::vector<OutlierMode> m = all_shadow;
    for (int i = 0; i < pruned; ++i)
      m[static_cast<size_t>(order[static_cast<size_t>(i)])] = OutlierMode::kClipped;
    rows.push_back(
        {fmt::format("shadow outliers, prune {:.2f}", rate), rate, pruned, error_with(m)});
  }
  return rows;
}

std::string format_proxy(const std::vector<ProxyRow>& rows) {
  std::string s = fmt::format("{:<36} {:>10} {:>8} {:>12} {:>12}\n", "configuration", "prune rate",
                              "pruned", "max-abs err", "relative err");
  for (const ProxyRow& r : rows)
    s += fmt::format("{:<36} {:>10.2f} {:>8} {:>12.4g} {:>12.4g}\n", r.config, r.prune_rate,
                     r.pruned_layers, r.error.max_abs, r.error.rel);
  return s;
}

}  // namespace socsim::verify
