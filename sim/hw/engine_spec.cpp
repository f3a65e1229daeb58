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
}

// Scales one unit; `key` names it in errors ("cpu", "gpu", "npu").
void scale_unit(ComputeUnitSpec& unit, const std::string& unit_name, const EngineUnitSpec& e,
                const std::string& key, const std::string& file, Diagnostics& d,
                const SourceMap& where) {
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
