// `socsim sweep FILE --out DIR [-j N] [--shard I/N]` runs a design-space sweep (sim/sweep/) and
// `socsim merge OUT SHARD_DIR...` joins the outputs of its shards into the unsharded result.
#include <fmt/format.h>

#include <iostream>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/units.hpp"
#include "sim/sweep/merge.hpp"
#include "sim/sweep/sweep_run.hpp"

namespace socsim::cli {

void add_sweep_commands(CLI::App& app, int& exit_code) {
  struct Options {
    SweepOptions sweep;
    std::string shard, timeout;
    std::vector<std::string> merge;
    bool merge_quiet = false;
  };
  auto o = std::make_shared<Options>();
  o->sweep.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* sub = app.add_subcommand(
      "sweep", "run every design point of a sweep file (experiments/sweeps/), resumably");
  sub->add_option("file", o->sweep.file, "sweep YAML file, e.g. experiments/sweeps/small.yaml")
      ->required();
  sub->add_option("--out", o->sweep.out,
                  "output directory (results.jsonl, results.csv, sweep.json); rerun the same "
                  "command to resume")
      ->required();
  sub->add_option("-j,--jobs", o->sweep.jobs, "worker processes (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--shard", o->shard,
                  "run only shard I of N (points with index % N == I-1); join with `socsim merge`");
  sub->add_option("--batch", o->sweep.batch, "points per worker process before it is replaced")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  sub->add_option("--point-timeout", o->timeout,
                  "kill a worker whose point runs longer than this (e.g. 10min) and record the "
                  "point as crashed if it hangs again; default: no limit");
  sub->add_flag("--restart", o->sweep.restart,
                "discard results of a different sweep (or shard) found in --out");
  sub->add_flag("-q,--quiet", o->sweep.quiet, "no progress or summary on stderr");
  sub->callback([o, &exit_code] {
    if (!o->shard.empty()) o->sweep.shard = parse_shard(o->shard, "--shard " + o->shard);
    if (!o->timeout.empty()) {
      const QuantityParse t = parse_quantity(o->timeout, Dim::kTime);
      if (!t.value || !(*t.value > 0))
        throw InputError({"--point-timeout " + o->timeout}, t.value ? "must be positive" : t.error);
      o->sweep.point_timeout_s = *t.value;
    }
    run_sweep(o->sweep);
    exit_code = 0;
  });

  CLI::App* merge = app.add_subcommand(
      "merge", "join the output directories of a sweep's shards into one (as if unsharded)");
  merge->add_option("dirs", o->merge, "OUT then every SHARD_DIR")->required()->expected(2, -1);
  merge->add_flag("-q,--quiet", o->merge_quiet, "no summary on stderr");
  merge->callback([o, &exit_code] {
    const std::string out = o->merge.front();
    const std::vector<std::string> shards(o->merge.begin() + 1, o->merge.end());
    const MergeSummary s = merge_shards(out, shards);
    if (!o->merge_quiet)
      std::cerr << fmt::format("merge {}: {} from {} shard(s) -> {}/results.csv\n", s.name,
                               status_counts_text(s.points, s.by_status), shards.size(), out);
    exit_code = 0;
  });
}

}  // namespace socsim::cli
