// Microbenchmarks of the reference kernels for the host profile; see host_benchmarks.hpp. Every
// benchmark is a Google Benchmark registered programmatically and timed in wall-clock time on the
// calling thread; the median over repetitions is kept per benchmark.
#include "sim/calibrate/host_benchmarks.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kernels/kernels.hpp"
#include "sim/graph/op_formulas.hpp"
#include "sim/stats/median.hpp"

namespace socsim::calibrate {
namespace {

namespace F = formulas;
using kernels::Mat;
constexpr DType k32 = DType::kFp32;

// ---- benchmark driver -------------------------------------------------------------------------

// Collects the wall time per call of every repetition of every benchmark, by name.
class Collector final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs)
      if (r.run_type == Run::RT_Iteration && !r.error_occurred && r.iterations > 0)
        times[r.run_name.function_name].push_back(r.real_accumulated_time /
                                                  static_cast<double>(r.iterations));
  }
  std::map<std::string, std::vector<double>> times;
};

// Registers a batch of benchmarks, runs them and returns the median seconds per call by name.
class Batch {
 public:
  Batch(const BenchConfig& c, const char* what) : cfg_(c), what_(what) {
    benchmark::ClearRegisteredBenchmarks();
  }
  void add(const std::string& name, std::function<void(benchmark::State&)> fn,
           double min_time_factor = 1.0) {
    benchmark::RegisterBenchmark(name.c_str(), std::move(fn))
        ->MinTime(cfg_.min_time * min_time_factor)
        ->Repetitions(1)
        ->UseRealTime();
    ++count_;
  }
  std::map<std::string, double> run() {
    if (cfg_.log) *cfg_.log << fmt::format("calibrate: {} ({} benchmarks)\n", what_, count_);
    // Repetitions are whole passes over the batch, so that a burst of load on the machine hits
    // one repetition of a benchmark rather than all of them.
    Collector c;
    for (int pass = 0; pass < std::max(1, cfg_.repetitions); ++pass)
      benchmark::RunSpecifiedBenchmarks(&c);
    benchmark::ClearRegisteredBenchmarks();
    std::map<std::string, double> out;
    for (const auto& [name, t] : c.times) out[name] = median(t);
    return out;
  }

 private:
  const BenchConfig& cfg_;
  const char* what_;
  int count_ = 0;
};

// The weight matrices of one gemm shape, cycled through by its benchmarks; rebuilt when the
// shape changes (benchmarks run in registration order, shape by shape).
struct WeightPool {
  int64_t k = -1, n = -1;
  std::vector<Mat> w;
  const std::vector<Mat>& get(int64_t kk, int64_t nn, const BenchConfig& cfg) {
    if (kk != k || nn != n) {
      w.clear();
      const int count = rotation_count(4.0 * static_cast<double>(kk * nn), cfg.rotation, 0);
      for (int i = 0; i < count; ++i) w.push_back(Mat::Constant(kk, nn, 0.01f * (i + 1)));
      k = kk, n = nn;
    }
    return w;
  }
};

// The KV caches of one attention shape (capacity x kv_dim, full), cycled through like weights.
struct KvPool {
  int64_t capacity = -1, kv_dim = -1;
  std::vector<kernels::KvCache> c;
  const std::vector<kernels::KvCache>& get(int64_t cap, int64_t dim, const BenchConfig& cfg) {
    if (cap != capacity || dim != kv_dim) {
      c.clear();
      const int count = rotation_count(8.0 * static_cast<double>(cap * dim), 2, cfg.kv_footprint);
      for (int i = 0; i < count; ++i) {
        kernels::KvCache kv;
        kv.reserve(cap, dim);
        kv.k.setConstant(0.01f * static_cast<float>(i % 7)), kv.v.setConstant(0.5f);
        kv.length = cap;
        c.push_back(std::move(kv));
      }
      capacity = cap, kv_dim = dim;
    }
    return c;
  }
};

OpPart role(OpPart p, PartRole r) {
  p.role = r;
  return p;
}

// ---- the benchmark families -------------------------------------------------------------------

// One-row (decode) benchmarks stream weights or KV caches from memory, whose speed drifts with
// the load on the machine: they run this many times longer, to average over the drift.
constexpr double kStreamingTime = 4.0;

void gemm_benchmarks(const BenchConfig& cfg, Measurements& m) {
  const std::vector<int64_t> rows = cfg.quick
                                        ? std::vector<int64_t>{1, 16, 64}
                                        : std::vector<int64_t>{1, 2, 4, 8, 16, 32, 64, 128, 256};
  const std::vector<std::pair<int64_t, int64_t>> shapes =
      cfg.quick ? std::vector<std::pair<int64_t, int64_t>>{{128, 512}, {512, 1024}}
                : std::vector<std::pair<int64_t, int64_t>>{
                      {128, 128},   {128, 512},   {512, 128},   {256, 256},  {256, 1024},
                      {1024, 256},  {512, 512},   {512, 2048},  {2048, 512}, {1024, 1024},
                      {1024, 4096}, {2048, 2048}, {4096, 1024}, {4096, 4096}};
  auto pool = std::make_shared<WeightPool>();
  Batch b(cfg, "gemm_f32");
  for (const auto& [k, n] : shapes)
    for (int64_t mm : rows) {
      const std::string name = fmt::format("gemm/m{}/k{}/n{}", mm, k, n);
      m.gemm.push_back({name, {role(F::matmul(mm, k, n, k32, k32, k32), PartRole::kQkv)}, 0});
      b.add(
          name,
          [pool, mm, k = k, n = n, &cfg](benchmark::State& st) {
            const std::vector<Mat>& w = pool->get(k, n, cfg);
            const Mat x = Mat::Constant(mm, k, 0.5f);
            Mat y;
            size_t i = 0;
            for (auto _ : st) {
              kernels::gemm_f32(x, w[i], y);
              benchmark::DoNotOptimize(y.data());
              i = i + 1 == w.size() ? 0 : i + 1;
            }
          },
          mm == 1 ? kStreamingTime : 1.0);
    }
  const auto t = b.run();
  for (KernelSample& s : m.gemm) s.seconds = t.at(s.name);
}

// Sum of a buffer with independent accumulators, so that loads, not add latency, limit it.
float read_sum(const float* p, int64_t n) {
#if defined(__SSE2__)
  __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm_add_ps(a0, _mm_load_ps(p + i)), a1 = _mm_add_ps(a1, _mm_load_ps(p + i + 4));
    a2 = _mm_add_ps(a2, _mm_load_ps(p + i + 8)), a3 = _mm_add_ps(a3, _mm_load_ps(p + i + 12));
    a4 = _mm_add_ps(a4, _mm_load_ps(p + i + 16)), a5 = _mm_add_ps(a5, _mm_load_ps(p + i + 20));
    a6 = _mm_add_ps(a6, _mm_load_ps(p + i + 24)), a7 = _mm_add_ps(a7, _mm_load_ps(p + i + 28));
  }
  __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(a0, a1), _mm_add_ps(a2, a3)),
                        _mm_add_ps(_mm_add_ps(a4, a5), _mm_add_ps(a6, a7)));
  alignas(16) float v[4];
  _mm_store_ps(v, s);
  float r = v[0] + v[1] + v[2] + v[3];
  for (; i < n; ++i) r += p[i];
  return r;
#else
  float r[8] = {};
  for (int64_t i = 0; i < n; ++i) r[i % 8] += p[i];
  return r[0] + r[1] + r[2] + r[3] + r[4] + r[5] + r[6] + r[7];
#endif
}

void bandwidth_benchmarks(const BenchConfig& cfg, Measurements& m) {
  const int64_t largest = cfg.quick ? (64 << 20) : (256 << 20);
  // Eigen's aligned allocation (16-byte aligned for the SSE loads above).
  auto buf = std::make_shared<Eigen::ArrayXf>(Eigen::ArrayXf::Constant(largest / 4, 1.f));
  Batch b(cfg, "memory bandwidth");
  std::vector<int64_t> sizes;
  for (int64_t s = 256 << 10; s <= largest; s *= cfg.quick ? 16 : 2) sizes.push_back(s);
  for (int64_t s : sizes)
    b.add(fmt::format("read/{}", s), [buf, s](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(read_sum(buf->data(), s / 4));
    });
  const int64_t stream = largest / 2;  // y = 2 x over two buffers of this size
  auto y = std::make_shared<Eigen::ArrayXf>(Eigen::ArrayXf::Zero(stream / 4));
  b.add("stream/scale", [buf, y, stream](benchmark::State& st) {
    for (auto _ : st) {
      *y = 2.f * buf->head(stream / 4);
      benchmark::DoNotOptimize(y->data());
    }
  });
  const auto t = b.run();
  for (int64_t s : sizes)
    m.read_bw.emplace_back(static_cast<double>(s),
                           static_cast<double>(s) / t.at(fmt::format("read/{}", s)));
  m.stream_bytes = 2.0 * static_cast<double>(stream);
  m.stream_bw = m.stream_bytes / t.at("stream/scale");
}

void attention_benchmarks(const BenchConfig& cfg, Measurements& m) {
  struct Heads {
    int heads, kv_heads, head_dim;
  };
  const std::vector<Heads> configs =
      cfg.quick ? std::vector<Heads>{{8, 8, 32}}
                : std::vector<Heads>{{8, 8, 32}, {16, 16, 32}, {16, 4, 32}};
  const std::vector<int64_t> rows =
      cfg.quick ? std::vector<int64_t>{1, 16} : std::vector<int64_t>{1, 4, 16, 64, 256};
  const std::vector<int64_t> pasts =
      cfg.quick ? std::vector<int64_t>{64} : std::vector<int64_t>{0, 64, 256, 1024};
  auto pool = std::make_shared<KvPool>();
  Batch b(cfg, "attention");
  for (const Heads& h : configs)
    for (int64_t r : rows)
      for (int64_t past : pasts) {
        if (r == 1 && past == 0) continue;  // one query over itself: nothing to measure
        const std::string name = fmt::format("attention/h{}/kv{}/d{}/rows{}/past{}", h.heads,
                                             h.kv_heads, h.head_dim, r, past);
        m.attention.push_back(
            {name,
             {role(F::attention(r, past, h.heads, h.kv_heads, h.head_dim, k32, k32, k32),
                   PartRole::kAttention)},
             0});
        b.add(
            name,
            [pool, h, r, past, &cfg](benchmark::State& st) {
              const auto& caches = pool->get(past + r, int64_t{h.kv_heads} * h.head_dim, cfg);
              const Mat q = Mat::Random(r, int64_t{h.heads} * h.head_dim);
              Mat out;
              size_t i = 0;
              for (auto _ : st) {
                kernels::attention(q, caches[i], past, h.heads, h.kv_heads, h.head_dim, out);
                benchmark::DoNotOptimize(out.data());
                i = i + 1 == caches.size() ? 0 : i + 1;
              }
            },
            r == 1 ? kStreamingTime : 1.0);
      }
  const auto t = b.run();
  for (KernelSample& s : m.attention) s.seconds = t.at(s.name);
}

int64_t round32(double v) {
  return std::max<int64_t>(32, static_cast<int64_t>(v / 32 + 0.5) * 32);
}

// head_dim of attention and rope: 32, as in every reference model (verify::reduce_spec). Attention
// and rope cost per FLOP depends on it, which one efficiency table cannot carry.
constexpr int kHeadDim = 32;

// rmsnorm, layernorm, rope, SiLU-gated and GELU activations and the residual add (Eigen `+=`, as
// the executor does it), then the llama-style layer mix of each (rows, hidden): 2 rmsnorm, rope
// over q and k (MHA), 2 adds and a SiLU-gated activation over ffn = 8/3 hidden.
void elementwise_benchmarks(const BenchConfig& cfg, Measurements& m) {
  const std::vector<int64_t> rows =
      cfg.quick ? std::vector<int64_t>{1, 64} : std::vector<int64_t>{1, 4, 16, 64, 256};
  const std::vector<int64_t> widths =
      cfg.quick ? std::vector<int64_t>{512} : std::vector<int64_t>{256, 1024, 4096};
  Batch b(cfg, "elementwise kernels");
  auto add = [&](const std::string& name, OpPart part, std::function<void(benchmark::State&)> fn) {
    m.elementwise.push_back({name, {part}, 0});
    b.add(name, std::move(fn), 0.5);
  };
  for (int64_t h : widths)
    for (int64_t r : rows) {
      const int64_t ffn = round32(8.0 * static_cast<double>(h) / 3.0), heads = h / kHeadDim;
      add(fmt::format("rmsnorm/rows{}/w{}", r, h), F::norm(r, h, NormKind::kRmsNorm, k32, k32, k32),
          [r, h](benchmark::State& st) {
            const Mat x = Mat::Random(r, h);
            const kernels::Vec g = kernels::Vec::Ones(h);
            Mat y;
            for (auto _ : st) kernels::rmsnorm(x, g, 1e-5f, y), benchmark::DoNotOptimize(y.data());
          });
      add(fmt::format("layernorm/rows{}/w{}", r, h),
          F::norm(r, h, NormKind::kLayerNorm, k32, k32, k32), [r, h](benchmark::State& st) {
            const Mat x = Mat::Random(r, h);
            const kernels::Vec g = kernels::Vec::Ones(h), bias = kernels::Vec::Zero(h);
            Mat y;
            for (auto _ : st)
              kernels::layernorm(x, g, bias, 1e-5f, y), benchmark::DoNotOptimize(y.data());
          });
      add(fmt::format("rope/rows{}/w{}", r, 2 * h), F::rope(r, 2 * h, k32, k32),
          [r, h, heads](benchmark::State& st) {
            Mat q = Mat::Random(r, h), k = Mat::Random(r, h);
            for (auto _ : st)
              kernels::rope(q, k, static_cast<int>(heads), static_cast<int>(heads), kHeadDim, 100),
                  benchmark::DoNotOptimize(q.data());
          });
      add(fmt::format("silu_gated/rows{}/w{}", r, ffn),
          F::activation(r, ffn, Activation::kSilu, true, k32, k32), [r, ffn](benchmark::State& st) {
            const Mat g = Mat::Random(r, ffn), u = Mat::Random(r, ffn);
            Mat y;
            for (auto _ : st)
              kernels::activation(g, &u, kernels::Act::kSilu, y),
                  benchmark::DoNotOptimize(y.data());
          });
      add(fmt::format("gelu/rows{}/w{}", r, 4 * h),
          F::activation(r, 4 * h, Activation::kGelu, false, k32, k32),
          [r, h](benchmark::State& st) {
            const Mat u = Mat::Random(r, 4 * h);
            Mat y;
            for (auto _ : st)
              kernels::activation(u, nullptr, kernels::Act::kGelu, y),
                  benchmark::DoNotOptimize(y.data());
          });
      add(fmt::format("add/rows{}/w{}", r, h), F::add(r, h, k32, k32),
          [r, h](benchmark::State& st) {
            Mat x = Mat::Zero(r, h);
            const Mat o = Mat::Random(r, h);
            for (auto _ : st) x += o, benchmark::DoNotOptimize(x.data());
          });
    }
  const auto t = b.run();
  std::map<std::string, const KernelSample*> by_name;
  for (KernelSample& s : m.elementwise) s.seconds = t.at(s.name), by_name[s.name] = &s;
  for (int64_t h : widths)
    for (int64_t r : rows) {
      const int64_t ffn = round32(8.0 * static_cast<double>(h) / 3.0);
      const KernelSample* norm = by_name.at(fmt::format("rmsnorm/rows{}/w{}", r, h));
      const KernelSample* rope = by_name.at(fmt::format("rope/rows{}/w{}", r, 2 * h));
      const KernelSample* act = by_name.at(fmt::format("silu_gated/rows{}/w{}", r, ffn));
      const KernelSample* sum = by_name.at(fmt::format("add/rows{}/w{}", r, h));
      KernelSample mix{fmt::format("layer_mix/rows{}/hidden{}", r, h), {}, 0};
      for (const KernelSample* s : {norm, rope, sum, norm, act, sum}) {
        mix.parts.push_back(s->parts.front());
        mix.seconds += s->seconds;
      }
      m.layer_mix.push_back(std::move(mix));
    }
}

}  // namespace

int rotation_count(double bytes, int count, double footprint) {
  const double want = std::max<double>(count, std::ceil(footprint / bytes));
  return static_cast<int>(
      std::clamp(want, 2.0, std::max(2.0, std::floor(kMaxRotationBytes / bytes))));
}

Measurements run_host_benchmarks(const BenchConfig& cfg) {
  Measurements m;
  m.host = detect_host();
  m.rotation = cfg.rotation;
  m.kv_footprint = cfg.kv_footprint;
  if (cfg.log)
    *cfg.log << fmt::format(
        "calibrate: {}, {:.3f} GHz measured ({:.3f} GHz in /proc/cpuinfo), {}, Eigen: {}\n",
        m.host.cpu_model, m.host.measured_clock * 1e-9, m.host.cpuinfo_clock * 1e-9, m.host.isa,
        m.host.kernel_simd);
  m.launch_overhead = executor_launch_overhead(cfg.quick, &m.launch_note);
  bandwidth_benchmarks(cfg, m);
  gemm_benchmarks(cfg, m);
  attention_benchmarks(cfg, m);
  elementwise_benchmarks(cfg, m);
  return m;
}

}  // namespace socsim::calibrate
