// Shared helpers of the activation model and trace tests: small shapes and parameters, token
// snapshots, the exact power law, and temporary files.
#pragma once

#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>
#include "sim/config/diagnostics.hpp"
#include "sim/model/model_spec.hpp"
#include "sim/sparse/activation_model.hpp"
#include "sim/sparse/activation_trace.hpp"

namespace socsim::test_activation {

inline ActivationShape make_shape(int64_t layers, int64_t experts, int64_t k, int64_t neurons,
                                  double f) {
  ActivationShape s;
  s.layers = layers;
  s.experts = experts;
  s.experts_per_token = k;
  s.neurons = neurons;
  s.active_fraction = f;
  return s;
}

inline ActivationParams make_params(uint64_t seed, double locality, double hotness = 1.0) {
  ActivationParams p;
  p.seed = seed;
  p.locality = locality;
  p.hotness_exponent = hotness;
  return p;
}

// The whole current token: routed experts per layer, then active lists per routed expert.
inline std::vector<std::vector<uint32_t>> snapshot(const ActivationSource& s) {
  std::vector<std::vector<uint32_t>> out;
  for (int64_t l = 0; l < s.shape().layers; ++l) {
    std::vector<uint32_t> experts;
    for (int32_t e : s.experts(l)) experts.push_back(static_cast<uint32_t>(e));
    out.push_back(experts);
    for (int32_t e : s.experts(l)) {
      const auto a = s.active(l, e);
      out.emplace_back(a.begin(), a.end());
    }
  }
  return out;
}

// Exact power-law marginals, written independently of the model: p_r = min(1, c (r+1)^-alpha)
// with mean f, by bisection on c.
inline std::vector<double> exact_power_law(int64_t n, double f, double alpha) {
  std::vector<double> w(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) w[r] = std::pow(r + 1.0, -alpha);
  auto mean = [&](double c) {
    double s = 0;
    for (double x : w) s += std::min(1.0, c * x);
    return s / static_cast<double>(n);
  };
  double lo = 0, hi = 1;
  while (mean(hi) < f) hi *= 2;
  for (int i = 0; i < 100; ++i) ((mean(0.5 * (lo + hi)) < f) ? lo : hi) = 0.5 * (lo + hi);
  for (double& x : w) x = std::min(1.0, hi * x);
  return w;
}

inline std::vector<double> model_probabilities(const ActivationSource& s, int64_t layer = 0) {
  std::vector<double> p;
  for (int64_t r = 0; r < s.shape().neurons; ++r) p.push_back(s.firing_probability(layer, 0, r));
  return p;
}

// Standard deviation of the mean of `samples` Bernoulli(p_r) draws per rank of `p` (ranks
// [lo, hi)), inflated by (1 + lambda) / (1 - lambda) for the autocorrelation lambda^k.
inline double sd_of_mean_rate(const std::vector<double>& p, size_t lo, size_t hi, double samples,
                              double lambda) {
  double var = 0;
  for (size_t r = lo; r < hi; ++r) var += p[r] * (1 - p[r]);
  const double width = static_cast<double>(hi - lo);
  return std::sqrt(var / (width * width * samples) * (1 + lambda) / (1 - lambda));
}

inline std::string temp_path(const std::string& name) {
  return (std::filesystem::path(testing::TempDir()) / ("socsim_act_" + name)).string();
}

inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// FNV-1a over the current token.
inline uint64_t fnv(uint64_t h, const std::vector<std::vector<uint32_t>>& token) {
  for (const auto& list : token) {
    for (uint32_t v : list) h = (h ^ v) * 0x100000001b3ULL;
    h = (h ^ 0xffffffffULL) * 0x100000001b3ULL;
  }
  return h;
}

}  // namespace socsim::test_activation
