// Grouped listings of the shipped inputs; see shipped_catalog.hpp.
#include "sim/cli/shipped_catalog.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/hw/hw_spec.hpp"
#include "sim/model/model_spec.hpp"
#include "sim/provenance/provenance.hpp"
#include "sim/provenance/run_provenance.hpp"

namespace socsim::cli {
namespace {

// "62% measured/datasheet": the share of a file's numbers with evidence beyond an assumption.
std::string evidence_share(const std::string& root, const std::string& path) {
  Diagnostics d;
  const ProvenanceShares s = provenance_shares(file_provenance(root, path, d));
  if (s.numbers == 0) return "";
  const auto pct = [&](ProvenanceKind k) {
    return 100.0 * static_cast<double>(s.by_kind[static_cast<size_t>(k)]) /
           static_cast<double>(s.numbers);
  };
  return fmt::format("{:.0f}% measured, {:.0f}% datasheet, {:.0f}% assumed",
                     pct(ProvenanceKind::kMeasured), pct(ProvenanceKind::kDatasheet),
                     pct(ProvenanceKind::kAssumption));
}

std::string units_of(const HwSpec& hw) {
  std::string u = "CPU";
  if (hw.has_gpu) u += "+GPU";
  if (hw.has_npu) u += "+NPU";
  if (hw.has_flash) u += "+flash";
  return u;
}

}  // namespace

std::string list_hw_profiles() {
  std::map<std::string, std::vector<std::string>> by_vendor;
  for (const std::string& n : shipped_names("hwprofiles")) {
    Diagnostics d;
    const std::string path = resolve_input(n, "hwprofiles", n, d);
    const HwSpec hw = load_hw(path);
    by_vendor[hw.vendor.empty() ? "(no vendor given)" : hw.vendor].push_back(fmt::format(
        "    {:<20} {:<32} {:<16} {:>5.0f} GB {:>6.1f} GB/s  {}\n", n, hw.soc, units_of(hw),
        hw.dram.capacity / 1e9, hw.dram.bandwidth / 1e9, evidence_share("hw", path)));
  }
  std::string s =
      "hardware profiles (hwprofiles/), by SoC vendor: SoC, units, DRAM, DRAM bandwidth, "
      "provenance of the numbers:\n";
  for (const auto& [vendor, lines] : by_vendor) {
    s += "  " + vendor + "\n";
    for (const std::string& l : lines) s += l;
  }
  return s;
}

std::string list_models() {
  const char* kGroups[] = {"dense", "activation-sparse (offloading policies)",
                           "mixture of experts"};
  std::map<int, std::vector<std::string>> by_group;
  for (const std::string& n : shipped_names("models")) {
    Diagnostics d;
    const std::string path = resolve_input(n, "models", n, d);
    const ModelSpec m = load_model(path);
    const int group = m.has_moe ? 2 : m.has_sparsity ? 1 : 0;
    by_group[group].push_back(
        fmt::format("    {:<30} {:>6.2f}B params {:>3} layers {:>5} wide  {:<6} {}\n", n,
                    static_cast<double>(m.total_params()) / 1e9, m.layers, m.hidden,
                    dtype_name(m.weight_dtype), evidence_share("model", path)));
  }
  std::string s =
      "models (models/), by structure: parameters, layers, width, weight type, provenance:\n";
  for (const auto& [group, lines] : by_group) {
    s += fmt::format("  {}\n", kGroups[group]);
    for (const std::string& l : lines) s += l;
  }
  return s;
}

}  // namespace socsim::cli
