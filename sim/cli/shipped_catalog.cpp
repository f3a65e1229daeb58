// Grouped listings of the shipped inputs; see shipped_catalog.hpp.
#include "sim/cli/shipped_catalog.hpp"

#include <fmt/format.h>

#include <functional>
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

// The provenance shares of a file's numbers, as `socsim describe NAME --provenance` ends.
std::string evidence_share(const std::string& root, const std::string& path) {
  Diagnostics d;
  return shares_text(provenance_shares(file_provenance(root, path, d)));
}

// A header line, then each group's name and its lines.
template <typename Key>
std::string grouped(std::string header, const std::map<Key, std::vector<std::string>>& groups,
                    const std::function<std::string(const Key&)>& name) {
  for (const auto& [key, lines] : groups) {
    header += "  " + name(key) + "\n";
    for (const std::string& l : lines) header += l;
  }
  return header;
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
  return grouped<std::string>(
      "hardware profiles (hwprofiles/), by SoC vendor: SoC, units, DRAM, DRAM bandwidth, "
      "provenance of the numbers:\n",
      by_vendor, [](const std::string& vendor) { return vendor; });
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
  return grouped<int>(
      "models (models/), by structure: parameters, layers, width, weight type, provenance:\n",
      by_group, [&](const int& group) { return std::string(kGroups[group]); });
}

}  // namespace socsim::cli
