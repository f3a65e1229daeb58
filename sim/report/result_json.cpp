// Result JSON and summary; see result_json.hpp.
#include "sim/report/result_json.hpp"

#include <fmt/format.h>

#include "sim/config/units.hpp"

namespace socsim {

nlohmann::ordered_json result_json(const LoadedRun& run, const RunOutput& out) {
  const RunMetrics& m = out.metrics;
  nlohmann::ordered_json j;
  j["hw"] = run.hw->name;
  j["model"] = run.model.name;
  j["policy"] = run.policy_name;
  j["prompt_tokens"] = run.workload.prompt;
  j["gen_tokens"] = run.workload.gen;
  j["setup_s"] = m.setup_s;
  j["prefill_s"] = m.prefill_s;
  j["ttft_s"] = m.ttft_s;
  j["prefill_tokens_per_s"] = m.prefill_tokens_per_s;
  // Prompt tokens per second of time to first token: prefill throughput including setup (e.g. NPU
  // graphs built for this prompt), as papers measure engines that build graphs per prompt.
  j["ttft_tokens_per_s"] = m.ttft_s > 0 ? static_cast<double>(run.workload.prompt) / m.ttft_s : 0.0;
  j["decode_s"] = m.decode_s;
  j["decode_tokens_per_s"] = m.decode_tokens_per_s;
  j["total_s"] = m.total_s;
  j["energy_j"] = m.energy.total;
  nlohmann::ordered_json by_unit = nlohmann::ordered_json::object();
  for (const auto& [n, e] : m.energy.by_unit) by_unit[n] = e;
  j["energy_j_by_unit"] = by_unit;
  j["prefill_energy_j"] = m.prefill_energy_j;
  j["decode_energy_j"] = m.decode_energy_j;
  j["prefill_j_per_token"] =
      run.workload.prompt > 0 ? m.prefill_energy_j / static_cast<double>(run.workload.prompt) : 0.0;
  const int64_t decoded = std::max<int64_t>(run.workload.gen - 1, 0);
  j["decode_j_per_token"] = decoded > 0 ? m.decode_energy_j / static_cast<double>(decoded) : 0.0;
  j["peak_memory_bytes"] = m.memory.total();
  j["memory_bytes_by_part"] = {{"weights", m.memory.weights},
                               {"float_weights", m.memory.float_weights},
                               {"kv_cache", m.memory.kv_cache},
                               {"activations", m.memory.activations},
                               {"graphs", m.memory.graphs}};
  j["memory_budget_bytes"] = m.memory_budget;
  j["npu_bubble_rate"] = m.npu_bubble_rate;
  j["decode_token_latency_s"] = {{"mean", m.decode.mean_s},
                                 {"p50", m.decode.p50_s},
                                 {"p90", m.decode.p90_s},
                                 {"p99", m.decode.p99_s}};
  j["decode_flash_bytes_per_token"] = m.decode.flash_bytes_per_token;
  const double cp = m.decode.critical_compute_s + m.decode.critical_io_s + m.decode.critical_wait_s;
  j["decode_critical_path_share"] = {{"compute", cp > 0 ? m.decode.critical_compute_s / cp : 0.0},
                                     {"io", cp > 0 ? m.decode.critical_io_s / cp : 0.0},
                                     {"wait", cp > 0 ? m.decode.critical_wait_s / cp : 0.0}};
  j["decode_io_share"] = cp > 0 ? m.decode.critical_io_s / cp : 0.0;  // for experiments
  nlohmann::ordered_json pm = nlohmann::ordered_json::object();
  for (const auto& [n, v] : m.policy_metrics) pm[n] = v;
  j["policy_metrics"] = pm;
  j["ops_simulated"] = m.ops_simulated;
  nlohmann::ordered_json est = nlohmann::ordered_json::object();
  for (const auto& [n, s] : m.busy_s_by_estimator) est[n] = s;
  j["op_seconds_by_estimator"] = est;
  nlohmann::ordered_json units = nlohmann::ordered_json::object();
  for (const auto& [n, s] : m.busy_s_by_unit) units[n] = s;
  j["op_seconds_by_unit"] = units;
  j["sim_wall_s"] = m.sim_wall_s;
  return j;
}

std::string result_summary(const LoadedRun& run, const RunOutput& out) {
  const RunMetrics& m = out.metrics;
  auto t = [](double s) { return format_human(s, Dim::kTime); };
  auto b = [](double v) { return format_human(v, Dim::kBytes); };
  std::string s;
  s += fmt::format("{} on {} with policy '{}': prompt {} tokens, generate {}\n", run.model.name,
                   run.hw->name, run.policy_name, run.workload.prompt, run.workload.gen);
  if (m.setup_s > 0) s += fmt::format("  setup            {}\n", t(m.setup_s));
  s += fmt::format("  TTFT             {}   (prefill {}, {:.1f} tokens/s)\n", t(m.ttft_s),
                   t(m.prefill_s), m.prefill_tokens_per_s);
  s += fmt::format("  decode           {}   ({:.2f} tokens/s)\n", t(m.decode_s),
                   m.decode_tokens_per_s);
  s += fmt::format("  total            {}\n", t(m.total_s));
  s += fmt::format("  energy           {:.3f} J   (prefill {:.3f} J, decode {:.3f} J)\n",
                   m.energy.total, m.prefill_energy_j, m.decode_energy_j);
  std::string parts;
  for (const auto& [n, e] : m.energy.by_unit)
    if (e > 0) parts += fmt::format("{}{} {:.3f} J", parts.empty() ? "" : ", ", n, e);
  s += fmt::format("    by unit        {}\n", parts);
  s += fmt::format(
      "  peak memory      {} of {}  (weights {}, float rows {}, KV {}, activations {}, graphs "
      "{})\n",
      b(m.memory.total()), b(m.memory_budget), b(m.memory.weights), b(m.memory.float_weights),
      b(m.memory.kv_cache), b(m.memory.activations), b(m.memory.graphs));
  s +=
      fmt::format("  simulated        {} ops in {:.1f} ms of wall time ({:.0f}k ops/s)\n",
                  m.ops_simulated, m.sim_wall_s * 1e3,
                  m.sim_wall_s > 0 ? static_cast<double>(m.ops_simulated) / m.sim_wall_s / 1e3 : 0);
  return s;
}

}  // namespace socsim
