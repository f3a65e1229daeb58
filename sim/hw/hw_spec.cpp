// Declaration of every hardware-profile field (visit_hw), cross-field checks and loading.
#include "sim/hw/hw_spec.hpp"

#include <fmt/format.h>
#include <cmath>

#include "sim/config/diagnostics.hpp"
#include "sim/config/yaml_reader.hpp"

namespace socsim {
void visit_efficiency(FieldVisitor& v, EfficiencyTable& e) {
  static constexpr std::array<std::string_view, 3> kBy{"flops", "rows", "bytes"};
  v.choice(
      "by", e.by, kBy,
      {"size measure of the compute table: op FLOPs, rows (tokens at once) or bytes", "flops"});
  v.curve("compute", e.compute, Dim::kNumber, Dim::kNumber,
          {"[size, fraction of peak achieved]; log-interpolated, clamped at the ends; empty = 1.0",
           std::nullopt, 0, 1, true});
  v.curve(
      "memory", e.memory, Dim::kBytes, Dim::kNumber,
      {"[op bytes, fraction of port bandwidth achieved]; empty = 1.0", std::nullopt, 0, 1, true});
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void visit_peak(FieldVisitor& v, PeakSpec& p) {
  for (int t = 0; t < kNumDTypes; ++t)
    v.quantity(
        kDTypeNames[t], p.by_dtype[t], Dim::kOpsRate,
        {"peak throughput in this data type (multiply-accumulate = 2 ops); omit if unsupported",
         std::nullopt, 0, kInf, true});
}

void visit_dvfs(FieldVisitor& v, DvfsState& d) {
  v.quantity("clock", d.clock, Dim::kFrequency,
             {"clock of this DVFS state", std::nullopt, 1e6, 1e11});
  v.quantity("busy_power", d.busy_power, Dim::kPower,
             {"power at full load at this clock, per core (CPU) or device (GPU, NPU)", std::nullopt,
              0, 1000});
}

void visit_unit(FieldVisitor& v, ComputeUnitSpec& u, bool is_cpu, bool is_npu) {
  if (is_cpu) {
    v.integer("cores", u.cores, {"number of cores in the cluster", std::nullopt, 1, 64});
    v.flag("efficiency_cores", u.efficiency_cores,
           {"the vendor's efficiency cores (Cortex-A5xx, Apple E-cores): engines that run on the "
            "performance cores by default leave this cluster out",
            "false"});
  } else
    v.integer("concurrency", u.concurrency, {"kernels the device runs at once", "1", 1, 64});
  v.quantity("rated_clock", u.rated_clock, Dim::kFrequency,
             {"clock at which `peak` is quoted", std::nullopt, 1e6, 1e11});
  v.quantity("clock", u.clock, Dim::kFrequency,
             {"operating clock (DVFS); peak scales linearly with it; default rated_clock",
              std::nullopt, 1e6, 1e11, true});
  v.section("peak",
            {is_cpu ? "peak throughput per core by data type"
                    : "peak throughput of the device by data type"},
            nullptr, [&](FieldVisitor& w) { visit_peak(w, u.peak); });
  v.quantity("idle_power", u.idle_power, Dim::kPower,
             {is_cpu ? "power of one idle core" : "power of the idle device", "0W", 0, 1000});
  list_entries<DvfsState>(v, "dvfs", {"DVFS states with busy power, ascending clocks"}, u.dvfs,
                          &visit_dvfs);
  v.quantity("launch_overhead", u.launch_overhead, Dim::kTime,
             {"fixed time per kernel launch", "0s", 0, 10});
  v.quantity("port_bandwidth", u.port_bandwidth, Dim::kBandwidth,
             {"bandwidth of this unit's path to DRAM when it runs alone", std::nullopt, 1e6, 1e13});
  v.section("efficiency",
            {"achieved fraction of peak and bandwidth by op class, over problem size"}, nullptr,
            [&](FieldVisitor& w) {
              for (size_t c = 0; c < kOpClassNames.size(); ++c)
                w.section(kOpClassNames[c], {"efficiency tables of this op class"}, nullptr,
                          [&](FieldVisitor& x) { visit_efficiency(x, u.efficiency[c]); });
            });
  if (is_npu) {
    v.section("graph", {"static-shape graph lifecycle (QNN-style build and optimise)"},
              &u.has_graph, [&](FieldVisitor& w) {
                w.quantity("setup", u.graph.setup, Dim::kTime,
                           {"one-time environment setup", "0s", 0, 100});
                w.quantity("build_per_graph", u.graph.build_per_graph, Dim::kTime,
                           {"time to build one graph", "0s", 0, 100});
                w.quantity("optimize_per_param", u.graph.optimize_per_param, Dim::kTime,
                           {"optimisation time per weight element of a graph", "0s", 0, 1});
                w.quantity("memory_per_graph", u.graph.memory_per_graph, Dim::kBytes,
                           {"memory held by one built graph", "0B", 0, 1e12});
              });
    v.quantity("addressable_memory", u.addressable_memory, Dim::kBytes,
               {"memory one NPU graph can map; omit if unlimited", std::nullopt, 1e6, 1e13, true});
  }
}

void visit_issuer(FieldVisitor& v, FlashIssuerSpec& i) {
  v.quantity("random_4k", i.random_4k, Dim::kBandwidth,
             {"4 KiB random-read throughput when reads are issued from this cluster", std::nullopt,
              1e6, 1e11});
}

void visit_flash(FieldVisitor& v, FlashSpec& f) {
  v.quantity("capacity", f.capacity, Dim::kBytes, {"storage capacity", std::nullopt, 1e9, 1e14});
  v.curve("sequential_read", f.sequential_read, Dim::kBytes, Dim::kBandwidth,
          {"[request size, bandwidth] of sequential reads at saturating queue depth", std::nullopt,
           1e5, 1e12});
  v.curve("random_read", f.random_read, Dim::kBytes, Dim::kBandwidth,
          {"[request size, bandwidth] of random reads within a small span, saturating queue depth",
           std::nullopt, 1e5, 1e12});
  v.curve("random_range", f.random_range, Dim::kBytes, Dim::kNumber,
          {"[span of the random reads, factor on random_read bandwidth]; empty = 1.0", std::nullopt,
           0, 1, true});
  v.quantity("iops_limit", f.iops_limit, Dim::kRequestRate,
             {"random-read request rate limit", std::nullopt, 1, 1e9});
  v.curve("queue_depth", f.queue_depth, Dim::kNumber, Dim::kNumber,
          {"[outstanding requests, fraction of saturated bandwidth]; empty = 1.0", std::nullopt, 0,
           1, true});
  named_entries<FlashIssuerSpec>(
      v, "issuers", {"random-read throughput by issuing CPU cluster", std::nullopt, 0, kInf, true},
      f.issuers, &visit_issuer);
  v.quantity("active_power", f.active_power, Dim::kPower,
             {"power while serving reads", "0W", 0, 100});
  v.quantity("idle_power", f.idle_power, Dim::kPower, {"power while idle", "0W", 0, 100});
}

void visit_dram(FieldVisitor& v, DramSpec& d) {
  v.quantity("capacity", d.capacity, Dim::kBytes, {"installed DRAM", std::nullopt, 1e8, 1e13});
  v.quantity("available", d.available, Dim::kBytes,
             {"DRAM one app may use; the default memory budget; default capacity", std::nullopt,
              1e8, 1e13, true});
  v.quantity("bandwidth", d.bandwidth, Dim::kBandwidth,
             {"total achievable bandwidth shared by all units", std::nullopt, 1e8, 1e13});
  v.quantity("cpu_bandwidth", d.cpu_bandwidth, Dim::kBandwidth,
             {"bandwidth all CPU clusters together can draw; default bandwidth", std::nullopt, 1e8,
              1e13, true});
  v.quantity("energy_per_byte", d.energy_per_byte, Dim::kEnergyPerByte,
             {"energy per byte transferred", "0J/B", 0, 1e-6});
  v.quantity("background_power", d.background_power, Dim::kPower,
             {"refresh and interface power, always drawn", "0W", 0, 100});
  v.quantity("page_cache_keep", d.page_cache_keep, Dim::kNumber,
             {"share of an mmapped file's fitting part the OS page cache keeps across cyclic "
              "passes larger than the cache (1 = the share that fits stays, 0 = pure LRU)",
              "1", 0, 1});
}

}  // namespace

void visit_hw(FieldVisitor& v, HwSpec& s) {
  v.integer("schema_version", s.schema_version,
            {"version of the profile schema (1)", std::nullopt, 1, 1});
  v.text("name", s.name, {"profile name (the device)"});
  v.text("soc", s.soc, {"system-on-chip", ""});
  v.text("vendor", s.vendor, {"the SoC's vendor (groups `socsim list`)", ""});
  named_entries<ComputeUnitSpec>(
      v, "cpu", {"CPU clusters by name (e.g. big, mid, little)"}, s.cpu,
      [](FieldVisitor& w, ComputeUnitSpec& u) { visit_unit(w, u, true, false); });
  v.section("gpu", {"the GPU (optional)"}, &s.has_gpu,
            [&](FieldVisitor& w) { visit_unit(w, s.gpu, false, false); });
  v.section("npu", {"the NPU (optional)"}, &s.has_npu,
            [&](FieldVisitor& w) { visit_unit(w, s.npu, false, true); });
  v.section("dram", {"main memory"}, nullptr, [&](FieldVisitor& w) { visit_dram(w, s.dram); });
  v.section("flash", {"UFS storage (optional)"}, &s.has_flash,
            [&](FieldVisitor& w) { visit_flash(w, s.flash); });
  v.quantity("other_power", s.other_power, Dim::kPower,
             {"constant power of the rest of the SoC during a run", "0W", 0, 100});
  v.section("thermal", {"heating and thermal throttling (optional)"}, &s.has_thermal,
            [&](FieldVisitor& w) { visit_thermal(w, s.thermal); });
}

double ComputeUnitSpec::peak_at_clock(DType t) const {
  return peak.by_dtype[static_cast<size_t>(t)] * (clock / rated_clock);
}

double ComputeUnitSpec::busy_power() const {
  Curve c;
  for (const DvfsState& d : dvfs) c.emplace_back(d.clock, d.busy_power);
  // DVFS power is close to linear between neighbouring states; interpolate linearly, not in log.
  if (c.empty()) return idle_power;
  if (clock <= c.front().first) return c.front().second;
  for (size_t i = 1; i < c.size(); ++i)
    if (clock <= c[i].first) {
      double t = (clock - c[i - 1].first) / (c[i].first - c[i - 1].first);
      return c[i - 1].second + t * (c[i].second - c[i - 1].second);
    }
  return c.back().second;
}

static void finalize_unit(ComputeUnitSpec& u, const std::string& name, const std::string& file,
                          Diagnostics& d, const SourceMap& where) {
  if (std::isnan(u.clock)) u.clock = u.rated_clock;
  if (u.dvfs.empty()) {
    d.error(where.find(name + ".dvfs", file),
            fmt::format("{}: at least one DVFS state is needed (dvfs)", name));
    return;
  }
  for (size_t i = 1; i < u.dvfs.size(); ++i)
    if (u.dvfs[i].clock <= u.dvfs[i - 1].clock)
      d.error(where.find(fmt::format("{}.dvfs.{}.clock", name, i), file),
              fmt::format("{}.dvfs: clocks must ascend ({} after {})", name,
                          format_quantity(u.dvfs[i].clock, Dim::kFrequency),
                          format_quantity(u.dvfs[i - 1].clock, Dim::kFrequency)));
  double lo = u.dvfs.front().clock, hi = u.dvfs.back().clock;
  if (u.clock < lo * (1 - 1e-9) || u.clock > hi * (1 + 1e-9))
    d.error(
        where.find(name + ".clock", file),
        fmt::format("{}.clock: {} is outside the DVFS range {}..{}", name,
                    format_quantity(u.clock, Dim::kFrequency), format_quantity(lo, Dim::kFrequency),
                    format_quantity(hi, Dim::kFrequency)));
  bool any = false;
  for (double p : u.peak.by_dtype) any = any || !std::isnan(p);
  if (!any)
    d.error(where.find(name + ".peak", file),
            fmt::format("{}.peak: no data type has a peak", name));
}

void finalize_hw(HwSpec& s, const std::string& file, Diagnostics& d, const SourceMap& where) {
  if (s.cpu.empty()) d.error(where.find("cpu", file), "cpu: at least one CPU cluster is needed");
  for (auto& [name, u] : s.cpu) finalize_unit(u, "cpu." + name, file, d, where);
  if (s.has_gpu) finalize_unit(s.gpu, "gpu", file, d, where);
  if (s.has_npu) finalize_unit(s.npu, "npu", file, d, where);
  if (std::isnan(s.dram.available)) s.dram.available = s.dram.capacity;
  if (std::isnan(s.dram.cpu_bandwidth)) s.dram.cpu_bandwidth = s.dram.bandwidth;
  if (s.dram.available > s.dram.capacity)
    d.error(where.find("dram.available", file),
            fmt::format("dram.available ({}) exceeds dram.capacity ({})",
                        format_quantity(s.dram.available, Dim::kBytes),
                        format_quantity(s.dram.capacity, Dim::kBytes)));
  if (s.has_flash) {
    for (auto& [name, i] : s.flash.issuers) {
      bool found = false;
      for (auto& [cn, c] : s.cpu) found = found || cn == name;
      if (!found)
        d.error(where.find("flash.issuers." + name, file),
                fmt::format("flash.issuers.{}: no CPU cluster of that name", name));
    }
  }
}

HwSpec read_hw(const std::string& path, Diagnostics& d, SourceMap* where) {
  return read_spec_file<HwSpec>(path, &visit_hw, d, where);
}

HwSpec load_hw(const std::string& path) {
  Diagnostics d;
  SourceMap where;
  HwSpec s = read_hw(path, d, &where);
  if (!d.has_errors()) finalize_hw(s, path, d, where);
  d.throw_if_errors();
  return s;
}

}  // namespace socsim
