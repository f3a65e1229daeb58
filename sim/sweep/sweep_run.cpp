// The sweep command's work; see sweep_run.hpp.
#include "sim/sweep/sweep_run.hpp"

#include <fmt/format.h>

#include "sim/driver/input_cache.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/progress.hpp"
#include "sim/sweep/results_store.hpp"
#include "sim/sweep/sweep_validate.hpp"
#include "sim/sweep/worker_pool.hpp"

namespace socsim {

std::string status_counts_text(size_t points, const std::map<std::string, size_t>& by_status) {
  std::string s = fmt::format("{} points", points);
  const char* sep = ": ";
  for (const char* st : {"ok", "infeasible", "input_error", "error", "crashed"})
    if (auto it = by_status.find(st); it != by_status.end() && it->second > 0) {
      s += fmt::format("{}{} {}", sep, it->second, st);
      sep = ", ";
    }
  return s;
}

SweepSummary run_sweep(const SweepOptions& o) {
  const std::string text = read_file(o.file);
  SweepPlan plan(read_sweep(o.file));
  InputCache cache;  // warmed by the checks, inherited by every worker
  validate_sweep(plan, cache);
  plan.set_environment(sweep_environment(cache));  // another build or edited inputs: not a resume
  ResultsStore store(o.out, plan, o.shard, text, o.restart);

  SweepSummary sum;
  sum.name = plan.spec().name;
  sum.points = o.shard.size_of(plan.size());
  sum.resumed = store.done_count();
  std::vector<size_t> todo;
  for (size_t p = o.shard.index - 1; p < plan.size(); p += o.shard.count)
    if (!store.done(p)) todo.push_back(p);
  sum.ran = todo.size();

  Progress progress(sum.name, sum.points, sum.resumed, o.quiet);
  PoolCallbacks cb;
  SimulationMemo memo;  // each worker fills its own copy
  cb.run = [&](size_t p) { return run_point(plan, p, cache, &memo); };
  cb.rows = [&](const std::vector<size_t>& points, std::string_view lines) {
    store.append(points, lines);
  };
  cb.crashed = [&](size_t p, const std::string& why) {
    store.append({p}, crashed_row(plan, p, why) + "\n");
  };
  cb.tick = [&] { progress.update(store.done_count()); };
  run_worker_pool(todo, {o.jobs, o.batch, o.point_timeout_s}, cb);
  sum.by_status = store.finish();
  sum.seconds = progress.elapsed_s();
  std::string line =
      fmt::format("sweep {}: {}", sum.name, status_counts_text(sum.points, sum.by_status));
  if (sum.resumed > 0) line += fmt::format(" ({} resumed)", sum.resumed);
  line +=
      fmt::format("; ran {} in {:.2f} s ({:.0f} points/s) -> {}/results.csv", sum.ran, sum.seconds,
                  sum.seconds > 0 ? static_cast<double>(sum.ran) / sum.seconds : 0.0, o.out);
  progress.finish(line);
  return sum;
}

}  // namespace socsim
