// Declaration, loading and application of engine profiles; see engine_spec.hpp.
#include "sim/hw/engine_spec.hpp"

#include <fmt/format.h>
#include <cmath>

#include "sim/config/yaml_reader.hpp"

namespace socsim {
namespace {

void visit_engine_unit(FieldVisitor& v, EngineUnitSpec& u) {
  for (size_t c = 0; c < kOpClassNames.size(); ++c)
    v.quantity(kOpClassNames[c], u.efficiency[c], Dim::kNumber,
               {.help = "factor on the profile's compute efficiency of this op class",
                .default_text = "1",
                .min = 1e-3,
                .max = 1e3,
                .provenance = "assumption [x0.5, x1]: an op class the engine profile does not "
                              "calibrate runs at the profile's kernel efficiency or below it (a "
                              "factor above 1 can take a table past its peak); not measured "
                              "for this engine"});
  v.quantity("launch_overhead", u.launch_overhead, Dim::kTime,
             {"fixed time per kernel launch in this engine; default: the profile's", std::nullopt,
              0, 10, true});
  v.quantity("thread_wake", u.thread_wake, Dim::kTime,
             {"extra time per forward pass that runs on more than one core: waking the engine's "
              "worker threads, asleep between passes; default 0",
              std::nullopt, 0, 1, true});
  v.curve("thread_scaling", u.thread_scaling, Dim::kNumber, Dim::kNumber,
          {"[threads, factor on each thread's compute rate] when one kernel runs on that many "
           "cores, relative to one thread alone: the engine's threads meet at a barrier after "
           "every op, so a kernel waits for its slowest thread (vCPUs or cores of unequal, "
           "varying speed, shared execution units, uneven work split); empty = 1",
           std::nullopt, 0.01, 1, true});
  v.quantity("step_overhead", u.step_overhead, Dim::kTime,
             {"fixed time per forward pass (framework, logits copy, sampling), added to the LM "
              "head; default 0",
              std::nullopt, 0, 10, true});
  v.quantity("step_overhead_per_vocab", u.step_overhead_per_vocab, Dim::kTime,
             {"time per forward pass and vocabulary entry of each row of logits (copying the "
              "logits out, the sampler's passes over them), added to the LM head; default 0",
              std::nullopt, 0, 1e-3, true});
  v.section("efficiency",
            {"the engine's own efficiency tables, measured on this machine; each op class given "
             "replaces the profile's table (the factors above then multiply it)"},
            &u.has_tables, [&](FieldVisitor& w) {
              for (size_t c = 0; c < kOpClassNames.size(); ++c)
                w.section(kOpClassNames[c], {"this engine's tables for the op class"},
                          &u.has_table[c],
                          [&](FieldVisitor& x) { visit_efficiency(x, u.tables[c]); });
            });
  v.section("dtype_rate",
            {"factor on the compute rate of parts in a data type (its kernels vs the type the "
             "tables were measured in); absent = 1"},
            &u.has_dtype_rate, [&](FieldVisitor& w) {
              for (int t = 0; t < kNumDTypes; ++t)
                w.quantity(kDTypeNames[t], u.dtype_rate[t], Dim::kNumber,
                           {"rate factor for this data type", std::nullopt, 1e-3, 1e3, true});
            });
}

// The unit's peak in `t`, or in the type it falls back to (int4 -> int8 -> fp16 -> fp32), as the
// roofline estimator resolves it; NaN when none.
double fallback_peak(const ComputeUnitSpec& u, DType t) {
  static constexpr DType kWider[] = {DType::kFp32, DType::kFp32, DType::kFp16, DType::kFp16,
                                     DType::kInt8};
  for (int guard = 0; guard < 5; ++guard) {
    const double p = u.peak.by_dtype[static_cast<size_t>(t)];
    if (!std::isnan(p)) return p;
    if (t == DType::kFp32) break;
    t = kWider[static_cast<size_t>(t)];
  }
  return kUnset;
}

// Scales one unit; `key` names it in errors ("cpu", "gpu", "npu").
void scale_unit(ComputeUnitSpec& unit, const std::string& unit_name, const EngineUnitSpec& e,
                const std::string& key, const std::string& file, Diagnostics& d,
                const SourceMap& where) {
  for (size_t c = 0; c < kOpClassNames.size(); ++c)
    if (e.has_table[c]) unit.efficiency[c] = e.tables[c];
  std::array<double, kNumDTypes> peaks{};
  for (int t = 0; t < kNumDTypes; ++t) peaks[t] = fallback_peak(unit, static_cast<DType>(t));
  for (int t = 0; t < kNumDTypes; ++t)
    if (!std::isnan(e.dtype_rate[t]) && !std::isnan(peaks[t]))
      unit.peak.by_dtype[t] = peaks[t] * e.dtype_rate[t];
  for (size_t c = 0; c < kOpClassNames.size(); ++c) {
    const double f = e.efficiency[c];
    Curve& curve = unit.efficiency[c].compute;
    if (curve.empty()) curve.emplace_back(1.0, 1.0);  // empty means 1.0 everywhere
    double worst = 0;
    for (auto& point : curve) {
      point.second *= f;
      worst = std::max(worst, point.second);
    }
    if (worst > 1.0 + 1e-12)
      d.error(where.find(fmt::format("{}.{}", key, kOpClassNames[c]), file),
              fmt::format("{}.{}: factor {:g} takes {} {} efficiency to {:.3g}, above peak (1.0)",
                          key, kOpClassNames[c], f, unit_name, kOpClassNames[c], worst));
  }
  if (!std::isnan(e.launch_overhead)) unit.launch_overhead = e.launch_overhead;
  if (!std::isnan(e.thread_wake)) unit.thread_wake = e.thread_wake;
  if (!e.thread_scaling.empty()) unit.thread_scaling = e.thread_scaling;
  if (!std::isnan(e.step_overhead)) unit.step_overhead = e.step_overhead;
  if (!std::isnan(e.step_overhead_per_vocab))
    unit.step_overhead_per_vocab = e.step_overhead_per_vocab;
}

}  // namespace

void visit_engine(FieldVisitor& v, EngineSpec& e) {
  v.integer("schema_version", e.schema_version,
            {"version of the engine-profile schema (1)", std::nullopt, 1, 1});
  v.text("name", e.name, {"engine profile name"});
  v.text("engine", e.engine, {"the software engine and version this profile models", ""});
  v.section("cpu", {"factors on every CPU cluster"}, &e.cpu.present,
            [&](FieldVisitor& w) { visit_engine_unit(w, e.cpu); });
  v.section("gpu", {"factors on the GPU"}, &e.gpu.present,
            [&](FieldVisitor& w) { visit_engine_unit(w, e.gpu); });
  v.section("npu", {"factors on the NPU"}, &e.npu.present,
            [&](FieldVisitor& w) { visit_engine_unit(w, e.npu); });
}

EngineSpec read_engine(const std::string& path, Diagnostics& d, SourceMap* where) {
  return read_spec_file<EngineSpec>(path, &visit_engine, d, where);
}

void apply_engine(HwSpec& hw, const EngineSpec& e, const std::string& file, Diagnostics& d,
                  const SourceMap& where) {
  if (e.cpu.present)
    for (auto& [name, unit] : hw.cpu) scale_unit(unit, "cpu." + name, e.cpu, "cpu", file, d, where);
  if (e.gpu.present && hw.has_gpu) scale_unit(hw.gpu, "gpu", e.gpu, "gpu", file, d, where);
  if (e.npu.present && hw.has_npu) scale_unit(hw.npu, "npu", e.npu, "npu", file, d, where);
}

}  // namespace socsim
