// Shared helpers of the reference-kernel tests: seeded random matrices, a naive double-precision
// GEMM and error measures.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "kernels/kernels.hpp"

namespace socsim::kernels::testing {

// rows x cols of N(0, sigma^2), reproducible from `seed`.
inline Mat random_mat(int64_t rows, int64_t cols, uint32_t seed, float sigma = 1.f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.f, sigma);
  Mat m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = dist(gen);
  return m;
}

inline Vec random_vec(int64_t n, uint32_t seed, float sigma = 1.f) {
  return random_mat(n, 1, seed, sigma).col(0);
}

// a * b with double accumulation, in the plain triple-loop order.
inline Mat naive_gemm(const Mat& a, const Mat& b) {
  Mat c(a.rows(), b.cols());
  for (int64_t i = 0; i < a.rows(); ++i)
    for (int64_t j = 0; j < b.cols(); ++j) {
      double s = 0;
      for (int64_t p = 0; p < a.cols(); ++p) s += static_cast<double>(a(i, p)) * b(p, j);
      c(i, j) = static_cast<float>(s);
    }
  return c;
}

inline double max_abs_diff(const Mat& a, const Mat& b) {
  return static_cast<double>((a - b).cwiseAbs().maxCoeff());
}

// max |a - ref| / max |ref|: relative to the magnitude of the reference as a whole, so entries
// that cancel to near zero do not dominate.
inline double rel_max_err(const Mat& a, const Mat& ref) {
  return max_abs_diff(a, ref) / static_cast<double>(ref.cwiseAbs().maxCoeff());
}

// Frobenius-norm relative error.
inline double rel_fro_err(const Mat& a, const Mat& ref) {
  return static_cast<double>((a - ref).norm() / ref.norm());
}

}  // namespace socsim::kernels::testing
