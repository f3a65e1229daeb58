// The random numbers of `socsim check --random`: a SplitMix64 stream keyed by (seed, index), so
// that the i-th random point is the same whatever the number of points drawn, the number of
// worker processes or the standard library (its distributions are implementation-defined; these
// are written out here).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace socsim::check {

class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t index) : state_(seed * 0x9E3779B97F4A7C15ULL + index) {
    next();  // decorrelate neighbouring keys
    state_ ^= index * 0xD1B54A32D192ED03ULL;
  }
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool chance(double p) { return uniform() < p; }
  size_t pick(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
  // exp(U(log lo, log hi)), for quantities that span decades (prompt lengths, budgets).
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  int64_t log_uniform_int(int64_t lo, int64_t hi) {
    const double x = std::floor(log_uniform(static_cast<double>(lo), static_cast<double>(hi) + 1));
    return x < static_cast<double>(lo)   ? lo
           : x > static_cast<double>(hi) ? hi
                                         : static_cast<int64_t>(x);
  }

 private:
  uint64_t state_;
};

}  // namespace socsim::check
