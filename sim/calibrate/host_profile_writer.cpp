// Host profile YAML with provenance comments, and the kernel speed report; see
// host_profile_writer.hpp.
#include "sim/calibrate/host_profile_writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sim/config/diagnostics.hpp"
#include "sim/config/units.hpp"

namespace socsim::calibrate {
namespace {

double round_sig(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double p =
      std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return std::round(v * p) / p;
}

std::string q(double v, Dim d, int digits = 4) {
  return format_quantity(round_sig(v, digits), d);
}

// `text` as comment lines of at most 100 columns at `indent`.
std::string comment_block(int indent, const std::string& text) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  std::string out, line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (!line.empty() && pad.size() + 2 + line.size() + 1 + word.size() > 100) {
      out += pad + "# " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  if (!line.empty()) out += pad + "# " + line + "\n";
  return out;
}

// "key: value" padded so that the comment starts at column 34.
std::string field(int indent, const std::string& kv, const std::string& note) {
  std::string s = std::string(static_cast<size_t>(indent), ' ') + kv;
  if (s.size() < 33) s.resize(33, ' ');
  return s + " # " + note + "\n";
}

// Sizes: powers of two in KiB/MiB, others with 3 significant digits in kB/MB (read back to
// within rounding, which is all a table point needs).
bool power_of_two(double v) {
  return v >= 1024 && std::exp2(std::round(std::log2(v))) == v;
}

std::string bytes_text(double v) {
  if (power_of_two(v))
    return v >= 1048576 ? fmt::format("{}MiB", v / 1048576) : fmt::format("{}KiB", v / 1024);
  if (v >= 1e6) return fmt::format("{:.3g}MB", v / 1e6);
  return v >= 1e3 ? fmt::format("{:.3g}kB", v / 1e3) : fmt::format("{:.3g}B", v);
}

std::string curve(int indent, const std::string& key, const Curve& c,
                  const std::vector<std::string>& notes, Dim x) {
  std::string out = std::string(static_cast<size_t>(indent), ' ') + key + ":\n";
  double last = -1;
  for (size_t i = 0; i < c.size(); ++i) {
    const double v = c[i].first;
    const double xv =
        x == Dim::kBytes && power_of_two(v) ? v : round_sig(v, x == Dim::kBytes ? 3 : 4);
    if (xv <= last) continue;  // a bin that rounds onto its neighbour
    last = xv;
    const double y = std::clamp(round_sig(c[i].second, 4), 1e-4, 1.0);
    out +=
        field(indent + 2,
              fmt::format("- [{}, {}]", x == Dim::kBytes ? bytes_text(xv) : format_quantity(xv, x),
                          format_quantity(y, Dim::kNumber)),
              i < notes.size() ? notes[i] : "");
  }
  return out;
}

std::string table(const HostFit& f, OpClass cls) {
  const size_t c = static_cast<size_t>(cls);
  const EfficiencyTable& t = f.model.eff[c];
  std::string out = fmt::format("      {}:\n", kOpClassNames[c]);
  out += comment_block(8, f.notes[c]);
  out += comment_block(
      8,
      fmt::format("The profile reproduces these {} benchmarks within median {:.1f}%, max {:.1f}%.",
                  kOpClassNames[c], 100 * f.error[c].median, 100 * f.error[c].max));
  out += fmt::format("        by: {}\n", t.by);
  out += curve(8, "compute", t.compute, f.compute_notes[c], Dim::kNumber);
  out += curve(8, "memory", t.memory, f.memory_notes[c], Dim::kBytes);
  return out;
}

// Orders "rows4" before "rows16": digit runs compare as numbers.
struct NaturalLess {
  bool operator()(const std::string& a, const std::string& b) const {
    size_t i = 0, j = 0;
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    while (i < a.size() && j < b.size()) {
      if (digit(a[i]) && digit(b[j])) {
        size_t ie = i, je = j;
        while (ie < a.size() && digit(a[ie])) ++ie;
        while (je < b.size() && digit(b[je])) ++je;
        const long long x = std::stoll(a.substr(i, ie - i)), y = std::stoll(b.substr(j, je - j));
        if (x != y) return x < y;
        i = ie, j = je;
      } else {
        if (a[i] != b[j]) return a[i] < b[j];
        ++i, ++j;
      }
    }
    return a.size() - i < b.size() - j;
  }
};

// One line per benchmark name without its `col` segment ("past64"), one column per value of it:
// GFLOP/s, and the profile's error on the line's benchmarks.
std::string matrix(const std::vector<KernelSample>& v, const std::string& col,
                   const std::string& title, const HostModel& model) {
  std::map<std::string, std::map<int64_t, const KernelSample*>, NaturalLess> grid;
  std::set<int64_t> cols;
  for (const KernelSample& s : v) {
    const size_t at = s.name.find("/" + col);
    const size_t end = s.name.find('/', at + 1);
    const int64_t c = std::stoll(s.name.substr(at + 1 + col.size(), end - at - 1 - col.size()));
    const std::string row =
        s.name.substr(0, at) + (end == std::string::npos ? "" : s.name.substr(end));
    grid[row][c] = &s;
    cols.insert(c);
  }
  std::string r = title + "; model error range per line\n" + fmt::format("  {:<28}", "");
  for (int64_t c : cols) r += fmt::format("{:>8}", c);
  r += "\n";
  for (const auto& [row, cells] : grid) {
    r += fmt::format("  {:<28}", row);
    double lo = 1e9, hi = -1e9;
    for (int64_t c : cols) {
      if (!cells.count(c)) {
        r += fmt::format("{:>8}", "-");
        continue;
      }
      const KernelSample& s = *cells.at(c);
      double fl = 0;
      for (const OpPart& p : s.parts) fl += p.flops;
      r += fmt::format("{:8.2f}", fl / s.seconds * 1e-9);
      const double e = model.sample_seconds(s) / s.seconds - 1;
      lo = std::min(lo, e), hi = std::max(hi, e);
    }
    r += fmt::format("   {:+.0f}..{:+.0f}%\n", 100 * lo, 100 * hi);
  }
  return r + "\n";
}

}  // namespace

std::string host_profile_yaml(const HostFit& f) {
  const HostInfo& h = f.host;
  const HostModel& m = f.model;
  std::string y;
  y += comment_block(
      0, fmt::format("Host profile of this machine ({}), written by `socsim calibrate`.",
                     h.cpu_model));
  y += comment_block(
      0,
      "Calibrated ONLY from single-threaded microbenchmarks of the reference kernels (kernels/, "
      "Eigen FP32) timed with Google Benchmark here; tags name the benchmark: [clock] chain of "
      "dependent adds; [exec] a tiny model through the Executor; [read] working-set read sweep; "
      "[stream] streaming y = 2x; [gemm]/[gemv] gemm_f32; [attention] kernels::attention; [mix] "
      "elementwise kernels of a layer. No end-to-end run was used: `socsim validate-host` checks "
      "the "
      "profile against those.");
  y += comment_block(0, fmt::format("Kernels built with Eigen SIMD: {}.", h.kernel_simd));
  y += "schema_version: 1\nname: host\n";
  y += fmt::format("soc: \"{} (host, one core)\"\n\n", h.cpu_model);
  y += "cpu:\n  host:\n";
  y += field(4, "cores: 1", "the executor (sim/verify) runs every kernel on one thread");
  const std::string clock_src =
      h.measured_clock > 0
          ? fmt::format("[clock] measured (1 add/cycle); /proc/cpuinfo: {:.0f} MHz",
                        h.cpuinfo_clock * 1e-6)
          : "/proc/cpuinfo cpu MHz";
  y += field(4, "rated_clock: " + q(h.clock, Dim::kFrequency), clock_src);
  y += field(4, "clock: " + q(h.clock, Dim::kFrequency), "as rated_clock: one DVFS state");
  y += "    peak:\n";
  y += field(6, fmt::format("fp32: {}GFLOPS", round_sig(h.peak_fp32 * 1e-9, 4)),
             fmt::format("theoretical: {} = {} FLOP/cycle x {:.3f} GHz", h.isa, h.flops_per_cycle,
                         h.clock * 1e-9));
  y += "    dvfs:\n";
  y += field(6, fmt::format("- {{clock: {}, busy_power: 15W}}", q(h.clock, Dim::kFrequency)),
             "assumption: power is not measured; 15 W for one busy server core");
  y += field(4, "launch_overhead: " + q(m.launch, Dim::kTime),
             "[exec] per kernel launch, see below");
  y += comment_block(4, "launch_overhead: " + f.launch_note + ".");
  y += field(4, "port_bandwidth: " + q(m.bandwidth, Dim::kBandwidth), f.bandwidth_note);
  y += "    efficiency:\n";
  for (OpClass c : {OpClass::kMatmul, OpClass::kAttention, OpClass::kElementwise}) y += table(f, c);
  y += "\ndram:\n";
  y += field(2, "capacity: " + q(h.dram_capacity, Dim::kBytes), "/proc/meminfo MemTotal");
  y += field(2, "bandwidth: " + q(m.bandwidth, Dim::kBandwidth), "= port_bandwidth (see below)");
  y += comment_block(
      2, fmt::format(
             "bandwidth: the cost model divides bytes by min(port, DRAM) bandwidth with "
             "efficiencies <= 1, so both are the fastest level measured and the memory tables "
             "carry cache vs DRAM. DRAM itself: [stream] y = 2x over 2 x {}: {:.1f} GB/s "
             "(read + write); [read] largest working set: {:.1f} GB/s.",
             bytes_text(f.dram_stream_bytes / 2), f.dram_stream_bw * 1e-9, f.dram_read_bw * 1e-9));
  return y;
}

void write_host_profile(const HostFit& fit, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
  }
  {
    std::ofstream out(path);
    if (!out) throw InputError({path}, "cannot open for writing");
    out << host_profile_yaml(fit);
    if (!out) throw InputError({path}, "cannot write");
  }
  load_hw(path);  // the written file must load as any profile does
}

std::string kernel_speed_report(const Measurements& m, const HostFit& fit) {
  const HostInfo& h = m.host;
  std::string r =
      fmt::format("Host: {}; clock {:.3f} GHz measured ({:.3f} GHz in /proc/cpuinfo); {}\n",
                  h.cpu_model, h.measured_clock * 1e-9, h.cpuinfo_clock * 1e-9, h.isa);
  r += fmt::format("FP32 peak of one core {:.1f} GFLOP/s; kernels built with Eigen SIMD: {}\n",
                   h.peak_fp32 * 1e-9, h.kernel_simd);
  r += fmt::format("Launch overhead through the Executor: {:.2f} us per kernel\n\n",
                   m.launch_overhead * 1e6);

  // gemm: one line per K x N, one column per M.
  std::set<int32_t> ms;
  std::map<std::pair<int32_t, int32_t>, std::map<int32_t, const KernelSample*>> grid;
  double best = 0;
  for (const KernelSample& s : m.gemm) {
    const OpPart& p = s.parts.front();
    ms.insert(p.m);
    grid[{p.k, p.n}][p.m] = &s;
    best = std::max(best, p.flops / s.seconds);
  }
  r += fmt::format(
      "gemm_f32 GFLOP/s (weights cycled through up to {} matrices), by M; last column: GB/s of "
      "weights at M=1\n",
      m.rotation);
  r += fmt::format("{:>11}", "K x N");
  for (int32_t v : ms) r += fmt::format("{:>7}", v);
  r += fmt::format("{:>9}\n", "GB/s");
  for (const auto& [kn, row] : grid) {
    r += fmt::format("{:>11}", fmt::format("{}x{}", kn.first, kn.second));
    for (int32_t v : ms)
      r += row.count(v)
               ? fmt::format("{:7.1f}", row.at(v)->parts.front().flops / row.at(v)->seconds * 1e-9)
               : fmt::format("{:>7}", "-");
    r += row.count(1) ? fmt::format("{:9.1f}\n",
                                    row.at(1)->parts.front().bytes() / row.at(1)->seconds * 1e-9)
                      : "\n";
  }
  r += fmt::format("best {:.1f} GFLOP/s = {:.0f}% of the {:.1f} GFLOP/s peak\n\n", best * 1e-9,
                   100 * best / h.peak_fp32, h.peak_fp32 * 1e-9);

  r += "memory read bandwidth by working set:";
  for (const auto& [bytes, bw] : m.read_bw)
    r += fmt::format(" {} {:.1f}", format_quantity(bytes, Dim::kBytes), bw * 1e-9);
  r += fmt::format(" GB/s\nstreaming y = 2x over {}: {:.1f} GB/s (read + write)\n\n",
                   format_quantity(m.stream_bytes / 2, Dim::kBytes), m.stream_bw * 1e-9);

  r += matrix(m.attention, "past", "attention GFLOP/s by past positions", fit.model);
  r += matrix(m.elementwise, "rows", "elementwise kernels GFLOP/s by rows", fit.model);
  r += matrix(m.layer_mix, "rows",
              "elementwise layer mix (2 rmsnorm, rope, 2 add, SiLU-gated) GFLOP/s by rows",
              fit.model);
  r += "\nprofile vs its own microbenchmarks (|model / measured - 1|):\n";
  for (size_t c = 0; c < 3; ++c)
    r += fmt::format("  {:<12} median {:5.1f}%  max {:5.1f}%\n", kOpClassNames[c],
                     100 * fit.error[c].median, 100 * fit.error[c].max);
  return r;
}

namespace {

using nlohmann::json;

json samples_json(const std::vector<KernelSample>& v) {
  json a = json::array();
  for (const KernelSample& s : v) {
    json parts = json::array();
    for (const OpPart& p : s.parts)
      parts.push_back({static_cast<int>(p.kind), static_cast<int>(p.dtype),
                       static_cast<int>(p.role), p.m, p.n, p.k, p.flops, p.weight_bytes, p.act_read,
                       p.act_written, p.kv_read, p.kv_written});
    a.push_back({{"name", s.name}, {"seconds", s.seconds}, {"parts", parts}});
  }
  return a;
}

std::vector<KernelSample> samples_from(const json& a) {
  std::vector<KernelSample> v;
  for (const json& s : a) {
    KernelSample k{s.at("name").get<std::string>(), {}, s.at("seconds").get<double>()};
    for (const json& p : s.at("parts")) {
      OpPart o;
      o.kind = static_cast<OpKind>(p.at(0).get<int>());
      o.dtype = static_cast<DType>(p.at(1).get<int>());
      o.role = static_cast<PartRole>(p.at(2).get<int>());
      o.m = p.at(3), o.n = p.at(4), o.k = p.at(5);
      o.flops = p.at(6), o.weight_bytes = p.at(7), o.act_read = p.at(8), o.act_written = p.at(9);
      o.kv_read = p.at(10), o.kv_written = p.at(11);
      k.parts.push_back(o);
    }
    v.push_back(std::move(k));
  }
  return v;
}

}  // namespace

std::string measurements_json(const Measurements& m) {
  const HostInfo& h = m.host;
  json j = {{"host",
             {{"cpu_model", h.cpu_model},
              {"cpuinfo_clock", h.cpuinfo_clock},
              {"measured_clock", h.measured_clock},
              {"clock", h.clock},
              {"isa", h.isa},
              {"flops_per_cycle", h.flops_per_cycle},
              {"peak_fp32", h.peak_fp32},
              {"dram_capacity", h.dram_capacity},
              {"kernel_simd", h.kernel_simd}}},
            {"rotation", m.rotation},
            {"kv_footprint", m.kv_footprint},
            {"launch_overhead", m.launch_overhead},
            {"launch_note", m.launch_note},
            {"read_bw", m.read_bw},
            {"stream_bw", m.stream_bw},
            {"stream_bytes", m.stream_bytes},
            {"gemm", samples_json(m.gemm)},
            {"attention", samples_json(m.attention)},
            {"elementwise", samples_json(m.elementwise)},
            {"layer_mix", samples_json(m.layer_mix)}};
  return j.dump(1) + "\n";
}

Measurements measurements_from_json(const std::string& text, const std::string& where) {
  try {
    const json j = json::parse(text);
    Measurements m;
    const json& h = j.at("host");
    m.host = {h.at("cpu_model"), h.at("cpuinfo_clock"), h.at("measured_clock"),
              h.at("clock"),     h.at("isa"),           h.at("flops_per_cycle"),
              h.at("peak_fp32"), h.at("dram_capacity"), h.at("kernel_simd")};
    m.rotation = j.at("rotation"), m.kv_footprint = j.at("kv_footprint");
    m.launch_overhead = j.at("launch_overhead"), m.launch_note = j.at("launch_note");
    m.read_bw = j.at("read_bw").get<std::vector<std::pair<double, double>>>();
    m.stream_bw = j.at("stream_bw"), m.stream_bytes = j.at("stream_bytes");
    m.gemm = samples_from(j.at("gemm")), m.attention = samples_from(j.at("attention"));
    m.elementwise = samples_from(j.at("elementwise")),
    m.layer_mix = samples_from(j.at("layer_mix"));
    return m;
  } catch (const json::exception& e) {
    throw InputError({where}, fmt::format("not a calibration measurements file: {}", e.what()));
  }
}

}  // namespace socsim::calibrate
