// Fit of the host profile to the microbenchmarks; see host_benchmarks.hpp. Each table point is the
// efficiency that makes the roofline formula of one core reproduce the benchmarks it merges, with
// the launch overhead and the memory side of the model included, so the profile predicts the
// benchmarks it came from (within the binning).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "sim/calibrate/host_benchmarks.hpp"
#include "sim/config/schema.hpp"
#include "sim/config/units.hpp"

namespace socsim::calibrate {
namespace {

size_t idx(OpClass c) {
  return static_cast<size_t>(c);
}

// As sim/cost/impl/roofline.cpp.
OpClass class_of(OpKind k) {
  if (k == OpKind::kMatmul || k == OpKind::kMoeRouter) return OpClass::kMatmul;
  return k == OpKind::kAttention ? OpClass::kAttention : OpClass::kElementwise;
}

double size_of(const OpPart& p, const std::string& by) {
  return by == "rows" ? static_cast<double>(p.m) : by == "bytes" ? p.bytes() : p.flops;
}

double geomean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::log(x);
  return v.empty() ? 0 : std::exp(s / static_cast<double>(v.size()));
}

// Time of a part alone at compute efficiency `e` (the memory side from the model's tables).
double part_at(const HostModel& m, const OpPart& p, double e) {
  const EfficiencyTable& t = m.eff[idx(class_of(p.kind))];
  const double c = p.flops > 0 ? p.flops / (m.peak * e) : 0;
  const double b = p.bytes();
  return m.launch + std::max(c, b / interpolate_curve(t.memory, b, 1.0) / m.bandwidth);
}

double sample_at(const HostModel& m, const KernelSample& s, double e) {
  double t = 0;
  for (const OpPart& p : s.parts) t += part_at(m, p, e);
  return t;
}

double key_of(const KernelSample& s, const std::string& by) {
  return size_of(s.parts.front(), by);
}

// Sorted by key; a bin holds equal keys (rows) or keys within `ratio` of its first.
Bins bin_by(std::vector<const KernelSample*> v,
            const std::function<double(const KernelSample&)>& key, double ratio) {
  std::stable_sort(v.begin(), v.end(), [&](auto* a, auto* b) { return key(*a) < key(*b); });
  Bins bins;
  double first = 0;
  for (const KernelSample* s : v) {
    if (bins.empty() || key(*s) > first * ratio * (1 + 1e-9)) bins.emplace_back(), first = key(*s);
    bins.back().push_back(s);
  }
  return bins;
}

std::string family(const KernelSample& s) {
  return s.name.substr(0, s.name.find('/'));
}

double error_of(const HostModel& m, const KernelSample& s) {
  return m.sample_seconds(s) / s.seconds - 1;
}

// "[gemm] 11 benchmarks at 16 rows; model within -8..+6% of them"
std::string bin_note(const Bins::value_type& bin, const HostModel& m, const std::string& by) {
  double lo = 1e9, hi = -1e9, kmin = 1e300, kmax = 0;
  for (const KernelSample* s : bin) {
    lo = std::min(lo, error_of(m, *s)), hi = std::max(hi, error_of(m, *s));
    kmin = std::min(kmin, key_of(*s, by)), kmax = std::max(kmax, key_of(*s, by));
  }
  const std::string where =
      by == "rows" ? fmt::format("at {} row{}", kmin, kmin == 1 ? "" : "s")
                   : fmt::format("of {:.3g}..{:.3g} {}", kmin, kmax, by == "flops" ? "FLOP" : "B");
  return fmt::format("[{}] {} benchmark{} {}; model {:+.0f}..{:+.0f}% of them",
                     family(*bin.front()), bin.size(), bin.size() == 1 ? "" : "s", where, 100 * lo,
                     100 * hi);
}

std::vector<const KernelSample*> pointers(const std::vector<KernelSample>& v) {
  std::vector<const KernelSample*> out;
  for (const KernelSample& s : v) out.push_back(&s);
  return out;
}

// Score of a fit: median + max/2 of |error|, averaged over the two regimes an LLM runs a kernel
// in, one row (decode) and several rows (prefill), so that the fewer decode benchmarks count as
// much as the prefill ones.
double regime_score(const std::vector<KernelSample>& samples, const HostModel& m) {
  std::vector<KernelSample> regime[2];
  for (const KernelSample& s : samples) regime[s.parts.front().m == 1 ? 0 : 1].push_back(s);
  double score = 0;
  int n = 0;
  for (const auto& r : regime)
    if (!r.empty()) {
      const FitError e = fit_error(r, m);
      score += e.median + 0.5 * e.max, ++n;
    }
  return n ? score / n : 0;
}

// Fits the compute table of `cls` by each candidate measure and keeps the one that reproduces
// the benchmarks best (regime_score).
void choose_table(HostFit& f, OpClass cls, const std::vector<KernelSample>& samples,
                  const std::vector<std::string>& candidates, std::string& why) {
  HostModel& m = f.model;
  EfficiencyTable& t = m.eff[idx(cls)];
  double best = std::numeric_limits<double>::infinity();
  std::string chosen;
  Curve best_curve;
  Bins best_bins;
  for (const std::string& by : candidates) {
    Bins bins;
    t.by = by;
    t.compute = fit_compute_table(samples, m, by, &bins);
    const FitError e = fit_error(samples, m);
    const double score = regime_score(samples, m);
    why += fmt::format("{}by {}: median {:.1f}%, max {:.1f}%, score {:.3f}",
                       why.empty() ? "" : "; ", by, 100 * e.median, 100 * e.max, score);
    if (score < best) best = score, chosen = by, best_curve = t.compute, best_bins = bins;
  }
  t.by = chosen;
  t.compute = best_curve;
  f.error[idx(cls)] = fit_error(samples, m);
  f.compute_notes[idx(cls)].clear();
  for (const auto& bin : best_bins) f.compute_notes[idx(cls)].push_back(bin_note(bin, m, chosen));
}

std::vector<const KernelSample*> one_row(const std::vector<KernelSample>& v) {
  std::vector<const KernelSample*> out;
  for (const KernelSample& s : v)
    if (s.parts.front().m == 1) out.push_back(&s);
  return out;
}

double streaming_bw(const KernelSample& s, double launch) {
  return s.parts.front().bytes() / std::max(s.seconds - launch, 0.05 * s.seconds);
}

// Memory table of `cls` from its one-row benchmarks, binned by bytes within a factor 1.5.
void streaming_table(HostFit& f, OpClass cls, const std::vector<const KernelSample*>& samples,
                     const char* tag) {
  HostModel& m = f.model;
  const size_t c = idx(cls);
  const Bins bins = bin_by(
      samples, [](const KernelSample& s) { return s.parts.front().bytes(); }, 1.5);
  m.eff[c].memory.clear();
  f.memory_notes[c].clear();
  for (const auto& bin : bins) {
    std::vector<double> bytes, bw;
    std::string what;
    for (const KernelSample* s : bin) {
      const OpPart& p = s->parts.front();
      bytes.push_back(p.bytes()), bw.push_back(streaming_bw(*s, m.launch));
      what += fmt::format("{}{}", what.empty() ? "" : ", ",
                          cls == OpClass::kMatmul ? fmt::format("{}x{}", p.k, p.n)
                                                  : fmt::format("{}@{}", p.k, p.n - 1));
    }
    m.eff[c].memory.emplace_back(geomean(bytes), std::min(1.0, geomean(bw) / m.bandwidth));
    f.memory_notes[c].push_back(fmt::format("[{}] one row, {} {}: {:.1f} GB/s", tag,
                                            cls == OpClass::kMatmul ? "KxN" : "width@past", what,
                                            geomean(bw) * 1e-9));
  }
}

}  // namespace

double HostModel::part_seconds(const OpPart& p) const {
  const EfficiencyTable& t = eff[idx(class_of(p.kind))];
  return part_at(*this, p, interpolate_curve(t.compute, size_of(p, t.by), 1.0));
}

double HostModel::sample_seconds(const KernelSample& s) const {
  double t = 0;
  for (const OpPart& p : s.parts) t += part_seconds(p);
  return t;
}

double fit_bin(const std::vector<const KernelSample*>& samples,
               const std::function<double(const KernelSample&, double)>& seconds) {
  constexpr int kSteps = 1200;  // 4 decades: 0.77% apart
  auto eff = [](int i) { return std::pow(10.0, -4.0 + 4.0 * i / kSteps); };
  std::vector<double> err(kSteps + 1);
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i <= kSteps; ++i) {
    double sum = 0;
    for (const KernelSample* s : samples) {
      const double r = std::log(seconds(*s, eff(i)) / s->seconds);
      sum += r * r;
    }
    err[static_cast<size_t>(i)] = sum;
    best = std::min(best, sum);
  }
  for (int i = 0; i <= kSteps; ++i)
    if (err[static_cast<size_t>(i)] <= best * (1 + 1e-6) + 1e-12) return eff(i);
  return 1.0;
}

Curve fit_compute_table(const std::vector<KernelSample>& samples, const HostModel& model,
                        const std::string& by, Bins* out) {
  Bins bins = bin_by(
      pointers(samples), [&](const KernelSample& s) { return key_of(s, by); },
      by == "rows" ? 1.0 : 1.6);
  HostModel m = model;
  Curve c;
  for (const auto& bin : bins) {
    std::vector<double> keys;
    for (const KernelSample* s : bin) keys.push_back(key_of(*s, by));
    const double e =
        fit_bin(bin, [&](const KernelSample& s, double x) { return sample_at(m, s, x); });
    c.emplace_back(geomean(keys), e);
  }
  if (out) *out = std::move(bins);
  return c;
}

FitError fit_error(const std::vector<KernelSample>& samples, const HostModel& model) {
  std::vector<double> e;
  for (const KernelSample& s : samples) e.push_back(std::fabs(error_of(model, s)));
  if (e.empty()) return {};
  std::sort(e.begin(), e.end());
  const size_t n = e.size();
  return {n % 2 ? e[n / 2] : 0.5 * (e[n / 2 - 1] + e[n / 2]), e.back()};
}

HostFit fit_host_profile(const Measurements& ms) {
  HostFit f;
  f.host = ms.host;
  HostModel& m = f.model;
  m.peak = ms.host.peak_fp32;
  m.launch = ms.launch_overhead;
  f.launch_note = ms.launch_note;
  const size_t mm = idx(OpClass::kMatmul), at = idx(OpClass::kAttention),
               el = idx(OpClass::kElementwise);

  // One bandwidth, the fastest any benchmark reached; the memory tables scale it down.
  const std::vector<const KernelSample*> gemv = one_row(ms.gemm);
  // Decode attention streams the KV cache; with grouped-query heads each KV byte feeds several
  // heads and compute shares the time, so only the MHA benchmarks (0.5 FLOP per KV byte) define
  // the streaming rate.
  std::vector<const KernelSample*> decode_attn;
  for (const KernelSample* s : one_row(ms.attention)) {
    const OpPart& p = s->parts.front();
    if (p.kv_read == 8.0 * p.n * p.k) decode_attn.push_back(s);
  }
  double read_best = 0, read_at = 0, stream_best = 0;
  for (const auto& [bytes, bw] : ms.read_bw)
    if (bw > read_best) read_best = bw, read_at = bytes;
  for (const std::vector<const KernelSample*>* v : {&gemv, &std::as_const(decode_attn)})
    for (const KernelSample* s : *v)
      stream_best = std::max(stream_best, streaming_bw(*s, m.launch));
  m.bandwidth = std::max(read_best, stream_best);
  f.dram_stream_bw = ms.stream_bw;
  f.dram_stream_bytes = ms.stream_bytes;
  f.dram_read_bw = ms.read_bw.empty() ? 0 : ms.read_bw.back().second;
  f.bandwidth_note = read_best >= stream_best
                         ? fmt::format("[read] best working-set read ({}, a cache level)",
                                       format_quantity(read_at, Dim::kBytes))
                         : "[gemv] best weight-streaming rate of gemm_f32 at M=1";

  // Elementwise operands are activations just written, so cache-hot: the working-set read sweep.
  m.eff[el].memory.clear();
  f.memory_notes[el].clear();
  for (const auto& [bytes, bw] : ms.read_bw) {
    m.eff[el].memory.emplace_back(bytes, std::min(1.0, bw / m.bandwidth));
    f.memory_notes[el].push_back(fmt::format("[read] {} working set: {:.1f} GB/s",
                                             format_quantity(bytes, Dim::kBytes), bw * 1e-9));
  }
  // Weights and KV caches persist across decode steps: their memory side is what one-row
  // (decode) calls of the kernel stream, by bytes (attention: MHA only, see above).
  streaming_table(f, OpClass::kMatmul, gemv, "gemv");
  streaming_table(f, OpClass::kAttention, decode_attn, "attention");

  std::string why_mm, why_at, why_el;
  choose_table(f, OpClass::kMatmul, ms.gemm, {"rows", "flops", "bytes"}, why_mm);
  choose_table(f, OpClass::kAttention, ms.attention, {"rows", "flops", "bytes"}, why_at);
  choose_table(f, OpClass::kElementwise, ms.layer_mix, {"rows"}, why_el);
  const FitError single = fit_error(ms.elementwise, m);

  f.notes[mm] = fmt::format(
      "[gemm] gemm_f32 at M = 1..256 over {} benchmarks (K, N 128..4096), each cycling through {} "
      "weight matrices (at most 384 MiB) so that a matrix is re-read only after the others, as in "
      "a "
      "decode step of a 4-layer model. Compute: fraction of the FP32 peak after the launch "
      "overhead, least squares in log time per bin; chosen by fit ({}). Memory: the "
      "weight-streaming bandwidth of gemm_f32 at M=1 (gemv) by bytes.",
      ms.gemm.size(), ms.rotation, why_mm);
  f.notes[at] = fmt::format(
      "[attention] kernels::attention over rows 1..256 x past 0..1024 x heads/kv_heads/head_dim "
      "8/8/32, 16/16/32, 16/4/32 (head_dim 32 as in the reference models), {} benchmarks, each "
      "cycling through KV caches of at least {} in all, so that the cache is cold as in decode. "
      "Memory: the KV-streaming bandwidth of the one-row (decode) benchmarks by bytes. Compute "
      "chosen by fit ({}).",
      ms.attention.size(), format_quantity(ms.kv_footprint, Dim::kBytes), why_at);
  f.notes[el] = fmt::format(
      "[mix] one table for every elementwise primitive: the kernels of a llama-style layer (2 "
      "rmsnorm, rope over q and k, 2 residual adds, SiLU-gated activation over 8/3 hidden) timed "
      "one by one at hidden 256, 1024, 4096 and summed, {} mixes. Compute by rows ({}); single "
      "kernels under this table: median {:.0f}%, max {:.0f}% (SiLU is slower per FLOP, norms and "
      "adds faster). Memory: the working-set read sweep.",
      ms.layer_mix.size(), why_el, 100 * single.median, 100 * single.max);
  return f;
}

}  // namespace socsim::calibrate
