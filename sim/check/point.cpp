// One design point of a check, run in a child process; see point.hpp.
#include "sim/check/point.hpp"

#include <fmt/format.h>

#include <cmath>

#include "sim/driver/isolated.hpp"

namespace socsim::check {

std::string PointSpec::label() const {
  return fmt::format("{}/{}/p{}", hw, model, prompt);
}

std::string_view status_name(PointStatus s) {
  switch (s) {
    case PointStatus::kOk:
      return "ok";
    case PointStatus::kSkipped:
      return "skipped";
    case PointStatus::kFailed:
      return "failed";
  }
  return "?";
}

PointMetrics metrics_of(const RunOutput& out, const Workload& w) {
  const RunMetrics& m = out.metrics;
  PointMetrics p;
  p.ttft_s = m.ttft_s;
  p.prefill_s = m.prefill_s;
  p.total_s = m.total_s;
  p.prefill_tps = m.prefill_tokens_per_s;
  p.decode_tps = m.decode_tokens_per_s;
  const int64_t steps = std::max<int64_t>(w.gen - 1, 0);
  p.decode_latency_s = steps > 0 ? m.decode_s / static_cast<double>(steps) : 0;
  p.energy_j = m.energy.total;
  const int64_t tokens = w.prompt + steps;
  p.energy_per_token_j = tokens > 0 ? m.energy.total / static_cast<double>(tokens) : 0;
  p.power_w = m.total_s > 0 ? m.energy.total / m.total_s : 0;
  p.peak_memory_bytes = m.memory.total();
  p.memory_budget_bytes = m.memory_budget;
  p.ops = static_cast<double>(m.ops_simulated);
  return p;
}

namespace {

// In the child: the policy's own check first (a refusal is a skip, not a failure), then the run.
PointResult evaluate(const LoadedRun& run, PointResult r) {
  try {
    const PlatformSpec platform = make_platform(*run.hw);
    Diagnostics d;
    run.policy->check(LowerContext{run.model, *run.hw, platform, run.workload}, d);
    if (d.has_errors()) {
      r.status = PointStatus::kSkipped;
      for (const Diagnostic& e : d.all())
        if (e.severity == Severity::kError) r.reason += (r.reason.empty() ? "" : "; ") + e.message;
      return r;
    }
    const std::unique_ptr<RunOutput> out = simulate(run, BackendKind::kSimGrid);
    r.metrics = metrics_of(*out, run.workload);
    r.violations = check_invariants(*out, context_of(run));
  } catch (const InfeasibleError& e) {
    r.status = PointStatus::kSkipped, r.reason = e.what();
  } catch (const InputError& e) {  // e.g. an op no unit of this profile can compute
    r.status = PointStatus::kSkipped;
    for (const Diagnostic& x : e.diagnostics().all())
      if (x.severity == Severity::kError) r.reason += (r.reason.empty() ? "" : "; ") + x.message;
  } catch (const std::exception& e) {
    r.status = PointStatus::kFailed, r.reason = e.what();
  }
  return r;
}

}  // namespace

PointResult run_point(const std::string& policy, const PointSpec& spec,
                      const std::vector<std::string>& sets) {
  RunRequest req{spec.hw, spec.model, policy, sets, {}};
  req.sets.push_back(fmt::format("workload.prompt={}", spec.prompt));
  req.sets.push_back(fmt::format("workload.gen={}", spec.gen));
  const LoadedRun run = load_run(req);
  PointResult r;
  r.spec = spec;
  r.policy = policy;
  try {
    return point_from_json(nlohmann::json::parse(
        run_isolated_bytes([&] { return to_json(evaluate(run, r)).dump(); })));
  } catch (const std::exception& e) {  // the child died (e.g. a crash in the policy)
    r.status = PointStatus::kFailed, r.reason = e.what();
    return r;
  }
}

nlohmann::json to_json(const PointResult& r) {
  const PointMetrics& m = r.metrics;
  nlohmann::json j = {
      {"hw", r.spec.hw},   {"model", r.spec.model}, {"prompt", r.spec.prompt},
      {"gen", r.spec.gen}, {"policy", r.policy},    {"status", status_name(r.status)},
  };
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (r.status != PointStatus::kOk) return j;
  j["metrics"] = {{"ttft_s", m.ttft_s},
                  {"prefill_s", m.prefill_s},
                  {"total_s", m.total_s},
                  {"prefill_tokens_per_s", m.prefill_tps},
                  {"decode_tokens_per_s", m.decode_tps},
                  {"decode_token_latency_s", m.decode_latency_s},
                  {"energy_j", m.energy_j},
                  {"energy_per_token_j", m.energy_per_token_j},
                  {"power_w", m.power_w},
                  {"peak_memory_bytes", m.peak_memory_bytes},
                  {"memory_budget_bytes", m.memory_budget_bytes},
                  {"ops", m.ops}};
  nlohmann::json counts = nlohmann::json::object(), details = nlohmann::json::array();
  for (const auto& [name, n] : r.violations.counts()) counts[name] = n;
  for (const Violation& v : r.violations.details())
    details.push_back({{"invariant", v.invariant}, {"detail", v.detail}});
  j["violations"] = {{"counts", counts}, {"details", details}};
  return j;
}

PointResult point_from_json(const nlohmann::json& j) {
  PointResult r;
  r.spec = {j.at("hw").get<std::string>(), j.at("model").get<std::string>(),
            j.at("prompt").get<int64_t>(), j.at("gen").get<int64_t>()};
  r.policy = j.at("policy").get<std::string>();
  const std::string status = j.at("status").get<std::string>();
  r.status = status == "ok"        ? PointStatus::kOk
             : status == "skipped" ? PointStatus::kSkipped
                                   : PointStatus::kFailed;
  r.reason = j.value("reason", "");
  if (r.status != PointStatus::kOk) return r;
  const nlohmann::json& m = j.at("metrics");
  auto get = [&](const char* key) {  // JSON writes a NaN or infinity as null
    return m.at(key).is_null() ? std::nan("") : m.at(key).get<double>();
  };
  PointMetrics& p = r.metrics;
  p.ttft_s = get("ttft_s"), p.prefill_s = get("prefill_s"), p.total_s = get("total_s");
  p.prefill_tps = get("prefill_tokens_per_s"), p.decode_tps = get("decode_tokens_per_s");
  p.decode_latency_s = get("decode_token_latency_s");
  p.energy_j = get("energy_j"), p.energy_per_token_j = get("energy_per_token_j");
  p.power_w = get("power_w");
  p.peak_memory_bytes = get("peak_memory_bytes");
  p.memory_budget_bytes = get("memory_budget_bytes");
  p.ops = get("ops");
  std::vector<Violation> details;
  std::vector<std::pair<std::string, size_t>> counts;
  const nlohmann::json& v = j.at("violations");
  for (const nlohmann::json& d : v.at("details"))
    details.push_back({d.at("invariant").get<std::string>(), d.at("detail").get<std::string>()});
  for (const auto& [name, n] : v.at("counts").items()) counts.emplace_back(name, n.get<size_t>());
  r.violations = Violations(std::move(details), std::move(counts));
  return r;
}

}  // namespace socsim::check
