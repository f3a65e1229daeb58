// Random numbers and elementary functions that give the same bits on every platform, compiler and
// library version (no std:: distributions; of libm only the exact floor and ldexp): splitmix64 for
// seeding, xoshiro256++ (Blackman and Vigna) one draw at a time and in four interleaved vector
// streams for bulk draws, log and exp by fixed series, and Exp(1) variates by a ziggurat built on
// them. Seeded models (the activation model, synthetic weights) draw from these so that a seed
// means one result.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

// No fused multiply-add contraction in the functions below (GCC does not contract in ISO C++ mode;
// Clang would, on targets with FMA), so that log/exp and the values built on them give the same
// bits everywhere. The pragma acts on the block it opens, not on the file that includes this one.
#if defined(__clang__)
#define SOCSIM_NO_FP_CONTRACT _Pragma("clang fp contract(off)")
#else
#define SOCSIM_NO_FP_CONTRACT
#endif

namespace socsim::portable {

// splitmix64 (Steele, Lea and Flood): advances x and returns the next output; seeds the others.
inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256++ (Blackman and Vigna), one draw at a time.
class Rng {
 public:
  explicit Rng(uint64_t& seeder) {
    for (uint64_t& w : s_) w = splitmix64(seeder);
  }
  uint64_t next() {
    const uint64_t result = std::rotl(s_[0] + s_[3], 23) + s_[0];
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }
  double uniform01() { return static_cast<double>(next() >> 11) * 0x1p-53; }  // [0, 1)

 private:
  uint64_t s_[4];
};

// Four interleaved xoshiro256++ streams for bulk draws, two lanes per GCC/Clang vector (SSE2 on
// x86-64). Outputs go lane by lane (lane 0, 1, 2, 3 of step 0, then of step 1, ...), 32-bit draws
// as the low then the high half of each output: the same sequence on every platform.
class BulkRng {
 public:
  explicit BulkRng(uint64_t& seeder) {
    for (auto& word : s_)
      for (U64x2& v : word) v = U64x2{splitmix64(seeder), splitmix64(seeder)};
  }
  // out[0, n) with n rounded up to a multiple of 4 (out must have room).
  void fill(uint64_t* out, size_t n) {
    generate((n + 3) / 4, [out](size_t i, U64x2 r) { std::memcpy(out + 2 * i, &r, sizeof r); });
  }
  // out[0, n) with n rounded up to a multiple of 8 (out must have room).
  void fill32(uint32_t* out, size_t n) {
    generate((n + 7) / 8, [out](size_t i, U64x2 r) {
      if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(out + 4 * i, &r, sizeof r);
      } else {
        for (int k = 0; k < 2; ++k) {
          out[4 * i + 2 * k] = static_cast<uint32_t>(r[k]);
          out[4 * i + 2 * k + 1] = static_cast<uint32_t>(r[k] >> 32);
        }
      }
    });
  }

 private:
  using U64x2 = uint64_t __attribute__((vector_size(16)));
  static U64x2 rotl(U64x2 x, int k) { return (x << k) | (x >> (64 - k)); }
  // `steps` steps of the four lanes; store(pair index, two outputs).
  template <class Store>
  void generate(size_t steps, Store store) {
    U64x2 s0[2] = {s_[0][0], s_[0][1]}, s1[2] = {s_[1][0], s_[1][1]};
    U64x2 s2[2] = {s_[2][0], s_[2][1]}, s3[2] = {s_[3][0], s_[3][1]};
    for (size_t i = 0; i < steps; ++i) {
      for (size_t v = 0; v < 2; ++v) {
        store(2 * i + v, rotl(s0[v] + s3[v], 23) + s0[v]);
        const U64x2 t = s1[v] << 17;
        s2[v] ^= s0[v];
        s3[v] ^= s1[v];
        s1[v] ^= s2[v];
        s0[v] ^= s3[v];
        s2[v] ^= t;
        s3[v] = rotl(s3[v], 45);
      }
    }
    for (size_t v = 0; v < 2; ++v) {
      s_[0][v] = s0[v];
      s_[1][v] = s1[v];
      s_[2][v] = s2[v];
      s_[3][v] = s3[v];
    }
  }
  U64x2 s_[4][2];
};

// Natural log of a positive normal double: exponent split, then 2 atanh(z) with z = (m-1)/(m+1),
// |z| <= 0.172, to 10 terms (relative error below 1e-15).
inline double log_pos(double x) {
  SOCSIM_NO_FP_CONTRACT
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  int32_t e = static_cast<int32_t>((bits >> 52) & 0x7ff) - 1023;
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const bool upper = m > 1.4142135623730951;
  m = upper ? m * 0.5 : m;
  e += upper;
  const double z = (m - 1.0) / (m + 1.0);
  const double z2 = z * z;
  double s = 1.0 / 19;
  s = s * z2 + 1.0 / 17;
  s = s * z2 + 1.0 / 15;
  s = s * z2 + 1.0 / 13;
  s = s * z2 + 1.0 / 11;
  s = s * z2 + 1.0 / 9;
  s = s * z2 + 1.0 / 7;
  s = s * z2 + 1.0 / 5;
  s = s * z2 + 1.0 / 3;
  s = s * z2 + 1.0;
  return e * 0.6931471805599453 + 2.0 * z * s;
}

// exp(x) for x <= 0 (0 below -700): x = n ln2 + r, |r| <= ln2/2, Taylor to r^13.
inline double exp_nonpos(double x) {
  SOCSIM_NO_FP_CONTRACT
  if (x < -700.0) return 0.0;
  const double n = std::floor(x * 1.4426950408889634 + 0.5);
  const double r = (x - n * 0.6931471803691238) - n * 1.9082149292705877e-10;
  double s = 1.0;
  for (int k = 13; k >= 1; --k) s = 1.0 + s * r / k;
  return std::ldexp(s, static_cast<int>(n));
}

// Exp(1) variates by Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000), 256 layers,
// with the layer from the low 8 bits of a draw and the abscissa from its top 53 bits; about one
// draw in 100 takes the slow path (log_pos / exp_nonpos).
class ExpSampler {
 public:
  explicit ExpSampler(uint64_t& seeder) : rng_(seeder), t_(tables()) {}
  double operator()() {
    SOCSIM_NO_FP_CONTRACT
    uint64_t w = draw();
    const Tables& t = t_;
    for (;;) {
      const size_t i = w & 255;
      const uint64_t j = w >> 11;
      if (j < t.k[i]) return static_cast<double>(j) * t.w[i];
      if (i == 0) return kR - log_pos(uniform_open0());  // the tail beyond kR
      const double x = static_cast<double>(j) * t.w[i];
      if (t.f[i] + uniform_open0() * (t.f[i - 1] - t.f[i]) < exp_nonpos(-x)) return x;
      w = draw();
    }
  }

 private:
  static constexpr double kR = 7.697117470131487;        // start of the tail
  static constexpr double kArea = 3.949659822581572e-3;  // area of each layer
  struct Tables {
    uint64_t k[256];
    double w[256], f[256];
  };
  static const Tables& tables() {
    static const Tables t = [] {
      SOCSIM_NO_FP_CONTRACT
      Tables z{};
      const double m = 0x1p53;
      double de = kR, te = kR;
      const double q = kArea / exp_nonpos(-de);
      z.k[0] = static_cast<uint64_t>((de / q) * m);
      z.k[1] = 0;
      z.w[0] = q / m;
      z.w[255] = de / m;
      z.f[0] = 1.0;
      z.f[255] = exp_nonpos(-de);
      for (int i = 254; i >= 1; --i) {
        de = -log_pos(kArea / de + exp_nonpos(-de));
        z.k[i + 1] = static_cast<uint64_t>((de / te) * m);
        te = de;
        z.f[i] = exp_nonpos(-de);
        z.w[i] = de / m;
      }
      return z;
    }();
    return t;
  }
  uint64_t draw() {
    if (next_ == kBuffer) {
      rng_.fill(buffer_, kBuffer);
      next_ = 0;
    }
    return buffer_[next_++];
  }
  double uniform_open0() { return static_cast<double>((draw() >> 11) + 1) * 0x1p-53; }
  static constexpr size_t kBuffer = 64;
  BulkRng rng_;
  const Tables& t_;
  uint64_t buffer_[kBuffer];
  size_t next_ = kBuffer;
};

}  // namespace socsim::portable

#undef SOCSIM_NO_FP_CONTRACT
