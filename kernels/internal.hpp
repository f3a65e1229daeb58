// Helpers shared by the kernel sources; not part of the public kernels API.
#pragma once

#include "kernels/kernels.hpp"

#include <stdexcept>
#include <string>

namespace socsim::kernels::detail {

// Throws std::invalid_argument("kernels: <what>") when a shape or argument check fails.
inline void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("kernels: ") + what);
}

// c[m,n] = a[m,k] * b[k,n] where every c(i,j) is the sequential sum over k = 0, 1, ..., k-1 of
// a(i,k) * b(k,j), starting from 0, with one rounding per multiply and per add. The value of a
// column of c therefore depends only on that column of b (not on the other columns, the shape or
// the blocking), which is what makes the sparse FFN bitwise equal to the dense one.
void gemm_ordered(const Mat& a, const Mat& b, Mat& c);

}  // namespace socsim::kernels::detail
