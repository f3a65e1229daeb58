// The run a sensitivity study starts from; see base_run.hpp.
#include "sim/sensitivity/base_run.hpp"

#include <fmt/format.h>

#include "sim/provenance/run_provenance.hpp"
#include "sim/sensitivity/point_batch.hpp"

namespace socsim {

void prepare_base(const RunRequest& request, BackendKind backend,
                  const std::vector<std::string>& metrics, BaseRun& out) {
  out.request = request;
  out.backend = backend;
  const LoadedRun run = load_run(request, &out.cache);
  out.params = run_provenance(run, request.sets, out.tag_problems);
  out.result = run_one_isolated(request, backend, out.cache);
  const std::vector<std::string> keys = numeric_keys(out.result);
  out.metrics = metrics;
  if (out.metrics.empty()) {
    out.metrics = {"ttft_s", "prefill_tokens_per_s"};
    if (run.workload.gen > 1) out.metrics.push_back("decode_tokens_per_s");
    out.metrics.push_back("energy_j");
  }
  Diagnostics d;
  for (const std::string& m : out.metrics) {
    if (std::find(keys.begin(), keys.end(), m) != keys.end()) continue;
    std::string all, hint = closest_match(m, keys);
    for (const std::string& k : keys) all += (all.empty() ? "" : ", ") + k;
    d.error({"--metric " + m},
            fmt::format("'{}' is not a numeric key of the run's result{} (one of: {})", m,
                        hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint), all));
  }
  d.throw_if_errors();
  out.base.clear();
  for (const std::string& m : out.metrics) out.base.push_back(out.result.at(m).get<double>());
  out.label =
      fmt::format("{} on {}, policy {} (prompt {}, gen {})",
                  out.result.value("model", std::string()), out.result.value("hw", std::string()),
                  run.policy_name, run.workload.prompt, run.workload.gen);
}

}  // namespace socsim
