// Predicted vs measured time of reduced models on the host; see validate_host.hpp.
#include "sim/calibrate/validate_host.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/driver/simulate.hpp"
#include "sim/stats/median.hpp"
#include "sim/verify/executor.hpp"
#include "sim/verify/reference_model.hpp"

namespace socsim::calibrate {
namespace {

RunRequest request(const ValidateOptions& o, int64_t prompt) {
  RunRequest req;
  req.hw = o.profile;
  req.model = o.model;
  req.policy = "cpu";
  // FP32 weights, activations and KV: the cpu policy then computes every matmul in FP32, which
  // is what the executor runs (gemm_f32).
  req.sets = {"model.weight_dtype=fp32",
              "model.activation_dtype=fp32",
              "model.kv_dtype=fp32",
              "policy.granularity=" + o.granularity,
              fmt::format("workload.prompt={}", prompt),
              fmt::format("workload.gen={}", o.gen)};
  return req;
}

// Wall time of every op of one execution of the schedule.
std::vector<double> measured_once(const verify::ReferenceModel& model, const RunOutput& sim,
                                  const std::vector<int32_t>& tokens) {
  std::vector<double> secs;
  verify::ExecOptions opt;
  opt.op_seconds = &secs;
  verify::Executor(model, sim.graph, sim.platform, opt).run(sim.dispatch_order, tokens);
  return secs;
}

// Per-op seconds summed by phase (prefill, decode) and op kind; decode divided by its steps.
ValidationRow sum_phase(const TaskGraph& g, const std::vector<double>& secs, bool decode,
                        double steps, ValidationRow row) {
  for (OpId i = 0; i < g.size(); ++i) {
    if ((g.op(i).phase == Phase::kDecode) != decode) continue;
    row.measured += secs[i] / (decode ? steps : 1.0);
    row.measured_by_kind[static_cast<size_t>(g.op(i).kind)] += secs[i] / (decode ? steps : 1.0);
  }
  return row;
}

}  // namespace

ValidationReport validate_host(const ValidateOptions& o) {
  ValidationReport r;
  r.profile = o.profile;
  r.granularity = o.granularity;
  r.repeats = o.repeats;
  r.breakdown = o.breakdown;
  r.median_target = o.median_target;
  r.max_target = o.max_target;
  const int64_t steps = std::max<int64_t>(o.gen - 1, 0);
  const double n = static_cast<double>(steps);
  // Every point is simulated first; then the executions sweep all points `repeats` times, so that
  // a burst of load on the machine hits one repetition of a point rather than all of them.
  struct Point {
    const verify::ReferenceModel* model;
    std::unique_ptr<RunOutput> sim;
    std::vector<int32_t> tokens;
    size_t row;  // its prefill row in r.rows (decode follows)
    std::vector<std::pair<ValidationRow, ValidationRow>> runs;
  };
  std::vector<std::unique_ptr<verify::ReferenceModel>> models;
  std::vector<Point> points;
  for (const auto& [hidden, layers] : o.sizes) {
    verify::ReducedShape shape;
    shape.hidden = hidden;
    shape.layers = layers;
    const LoadedRun first = load_run(request(o, o.prompts.front()));
    models.push_back(std::make_unique<verify::ReferenceModel>(
        verify::build_reference_model(first.model, shape, o.seed)));
    r.model = first.model.name;
    for (int64_t prompt : o.prompts) {
      LoadedRun run = load_run(request(o, prompt));
      run.model = models.back()->spec;
      run.workload.memory = kUnset;
      Point p{models.back().get(),
              simulate(run, BackendKind::kSimGrid),
              verify::make_tokens(*models.back(), prompt + o.gen - 1, o.seed + 1),
              r.rows.size(),
              {}};
      const TaskGraph& g = p.sim->graph;
      const RunMetrics& mt = p.sim->metrics;
      for (bool decode : {false, true}) {
        ValidationRow row{hidden, layers, prompt, decode ? "decode" : "prefill",
                          decode ? (steps ? mt.decode_s / n : 0) : mt.prefill_s};
        for (OpId i = 0; i < g.size(); ++i)  // the engine's op durations, launch delay included
          if ((g.op(i).phase == Phase::kDecode) == decode)
            row.predicted_by_kind[static_cast<size_t>(g.op(i).kind)] +=
                (p.sim->timing[i].end - p.sim->timing[i].dispatch) / (decode ? n : 1.0);
        r.rows.push_back(row);
      }
      points.push_back(std::move(p));
    }
  }
  for (int sweep = -1; sweep < o.repeats; ++sweep) {  // sweep -1 warms up (first touches, caches)
    if (o.log)
      *o.log << fmt::format("validate-host: execution sweep {} of {}\n", sweep + 1, o.repeats);
    for (Point& p : points) {
      const std::vector<double> secs = measured_once(*p.model, *p.sim, p.tokens);
      if (sweep >= 0)
        p.runs.emplace_back(sum_phase(p.sim->graph, secs, false, n, r.rows[p.row]),
                            sum_phase(p.sim->graph, secs, true, n, r.rows[p.row + 1]));
    }
  }
  // Per point and phase, the median execution by total time, with its split by kind.
  for (const Point& p : points)
    for (bool decode : {false, true}) {
      std::vector<ValidationRow> v;
      for (const auto& [pre, dec] : p.runs) v.push_back(decode ? dec : pre);
      std::sort(v.begin(), v.end(),
                [](const auto& a, const auto& b) { return a.measured < b.measured; });
      r.rows[p.row + (decode ? 1 : 0)] = v[v.size() / 2];
    }
  if (steps == 0)  // no decode: drop the empty decode rows
    r.rows.erase(std::remove_if(r.rows.begin(), r.rows.end(),
                                [](const auto& x) { return x.phase == "decode"; }),
                 r.rows.end());
  std::vector<double> errs;
  for (const ValidationRow& row : r.rows) errs.push_back(std::fabs(row.error()));
  r.median_abs = median(errs);
  r.max_abs = errs.empty() ? 0 : *std::max_element(errs.begin(), errs.end());
  r.pass = !errs.empty() && r.median_abs <= o.median_target && r.max_abs <= o.max_target;
  return r;
}

std::string format_validation(const ValidationReport& r) {
  std::string s = fmt::format(
      "validate-host: profile {}; {} reduced, FP32, cpu policy (granularity {}); measured = median "
      "of {} "
      "executions of the same schedule on the reference kernels\n",
      r.profile, r.model, r.granularity, r.repeats);
  s += fmt::format("{:>7} {:>6} {:>6}  {:<16} {:>12} {:>12} {:>8}\n", "hidden", "layers", "prompt",
                   "phase", "predicted", "measured", "error");
  for (const ValidationRow& row : r.rows)
    s +=
        fmt::format("{:>7} {:>6} {:>6}  {:<16} {:>9.3f} ms {:>9.3f} ms {:>+7.1f}%\n", row.hidden,
                    row.layers, row.prompt, row.phase == "prefill" ? "prefill" : "decode (per tok)",
                    row.predicted * 1e3, row.measured * 1e3, 100 * row.error());
  s += fmt::format(
      "median |error| {:.1f}% (target <= {:.0f}%), max |error| {:.1f}% (target <= {:.0f}%): {}\n",
      100 * r.median_abs, 100 * r.median_target, 100 * r.max_abs, 100 * r.max_target,
      r.pass ? "PASS" : "MISSED");
  if (r.breakdown) {
    s += "by op kind (predicted / measured ms, error):\n";
    for (const ValidationRow& row : r.rows) {
      s += fmt::format("{:>7} {:>6} {:>6}  {:<8}", row.hidden, row.layers, row.prompt, row.phase);
      for (size_t k = 0; k < kOpKindNames.size(); ++k)
        if (row.measured_by_kind[k] > 0)
          s += fmt::format(" {} {:.3g}/{:.3g} {:+.0f}%", kOpKindNames[k],
                           row.predicted_by_kind[k] * 1e3, row.measured_by_kind[k] * 1e3,
                           100 * (row.predicted_by_kind[k] / row.measured_by_kind[k] - 1));
      s += "\n";
    }
  }
  if (!r.pass) {
    if (r.median_abs > r.median_target) s += "  missed: median |error| above target\n";
    if (r.max_abs > r.max_target) s += "  missed: max |error| above target\n";
  }
  return s;
}

}  // namespace socsim::calibrate
