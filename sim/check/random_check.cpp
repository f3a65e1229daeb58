// Running the random check: points, variants and determinism runs; see random_check.hpp.
#include "sim/check/random_check.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

#include "sim/check/check.hpp"
#include "sim/check/invariants.hpp"
#include "sim/config/describe.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/report/result_json.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/result_row.hpp"
#include "sim/sweep/worker_pool.hpp"

namespace socsim::check {
namespace {

constexpr size_t kMaxRounds = 20;  // of drawing replacements for points that cannot run
constexpr double kRunTimeoutS = 900;

// In a worker child: one run with every invariant checked, as a row.
std::string checked_row(size_t job, const RunRequest& req, bool want_result, InputCache& cache) {
  nlohmann::ordered_json row;
  row["point"] = job;
  try {
    const LoadedRun run = load_run(req, &cache);
    const std::unique_ptr<RunOutput> out = simulate(run, BackendKind::kSimGrid);
    row["status"] = "ok";
    row["ttft_s"] = out->metrics.ttft_s;
    row["total_s"] = out->metrics.total_s;
    row["violations"] = check_invariants(*out, context_of(run)).lines();
    if (want_result) row["result"] = flatten_result(result_json(run, *out)).dump();
  } catch (const InputError& e) {
    std::string what;
    for (const Diagnostic& d : e.diagnostics().all())
      what += (what.empty() ? "" : "; ") + d.message;
    row["status"] = "input_error", row["message"] = what;
  } catch (const InfeasibleError& e) {
    row["status"] = "infeasible", row["message"] = e.what();
  } catch (const std::exception& e) {
    row["status"] = "error", row["message"] = e.what();
  }
  return row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void for_each_line(std::string_view lines, const std::function<void(const nlohmann::json&)>& f) {
  for (size_t pos = 0; pos < lines.size();) {
    const size_t nl = lines.find('\n', pos);
    f(nlohmann::json::parse(lines.substr(pos, nl - pos)));
    pos = nl == std::string_view::npos ? lines.size() : nl + 1;
  }
}

std::vector<size_t> all_of(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// Every request in the worker pool, each checked.
std::vector<RandomRun> run_checked(const std::vector<RunRequest>& reqs,
                                   const std::vector<bool>& want_result, int jobs,
                                   InputCache& cache) {
  std::vector<RandomRun> out(reqs.size());
  PoolCallbacks cb;
  cb.run = [&](size_t i) { return checked_row(i, reqs[i], want_result[i], cache); };
  cb.rows = [&](const std::vector<size_t>&, std::string_view lines) {
    for_each_line(lines, [&](const nlohmann::json& row) {
      RandomRun& r = out.at(row.at("point").get<size_t>());
      r.status = row.at("status").get<std::string>();
      r.message = row.value("message", "");
      if (r.status != "ok") return;
      r.figures = {row.at("ttft_s").get<double>(), row.at("total_s").get<double>()};
      r.violations = row.at("violations").get<std::vector<std::string>>();
      r.result = row.value("result", "");
    });
  };
  cb.crashed = [&](size_t i, const std::string& why) { out.at(i) = {"crashed", why, {}, {}, {}}; };
  cb.tick = [] {};
  run_worker_pool(all_of(reqs.size()), {std::max(1, jobs), 50, kRunTimeoutS}, cb);
  return out;
}

// The same requests through the sweep's point runner: their flattened results (or "status:
// message" when they did not run).
std::vector<std::string> run_as_sweep(const std::vector<RunRequest>& reqs, int jobs,
                                      InputCache& cache) {
  std::vector<std::string> out(reqs.size());
  PoolCallbacks cb;
  cb.run = [&](size_t i) {
    const PointOutcome o = run_request_point(reqs[i], BackendKind::kSimGrid, cache);
    const std::string text = o.status == socsim::PointStatus::kOk
                                 ? o.result.dump()
                                 : fmt::format("{}: {}", status_name(o.status), o.message);
    return nlohmann::json{{"point", i}, {"text", text}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  cb.rows = [&](const std::vector<size_t>&, std::string_view lines) {
    for_each_line(lines, [&](const nlohmann::json& row) {
      out.at(row.at("point").get<size_t>()) = row.at("text").get<std::string>();
    });
  };
  cb.crashed = [&](size_t i, const std::string& why) { out.at(i) = "crashed: " + why; };
  cb.tick = [] {};
  run_worker_pool(all_of(reqs.size()), {jobs, 50, kRunTimeoutS}, cb);
  return out;
}

// `socsim run ... --json -` in a fresh process: its flattened result, or what went wrong.
std::string run_fresh(const std::string& exe, const RunRequest& req) {
  std::vector<std::string> args = {exe,       "run",     "--hw",     req.hw,
                                   "--model", req.model, "--policy", req.policy};
  for (const std::string& s : req.sets) args.insert(args.end(), {"--set", s});
  args.insert(args.end(), {"--json", "-"});
  int fds[2];
  if (pipe(fds) != 0) return "cannot create a pipe";
  const pid_t pid = fork();
  if (pid < 0) return "cannot fork";
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]), close(fds[1]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fmt::format("the process exited with status {}",
                       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  try {
    return flatten_result(nlohmann::ordered_json::parse(text)).dump();
  } catch (const std::exception& e) {
    return std::string("unreadable output: ") + e.what();
  }
}

// Where two flattened results first differ, for the report.
std::string first_difference(const std::string& a, const std::string& b) {
  try {
    const auto ja = nlohmann::ordered_json::parse(a), jb = nlohmann::ordered_json::parse(b);
    for (const auto& [k, v] : ja.items())
      if (!jb.contains(k) || jb.at(k) != v)
        return fmt::format("{}: {} vs {}", k, v.dump(),
                           jb.contains(k) ? jb.at(k).dump() : "absent");
    return "keys differ";
  } catch (const std::exception&) {
    return fmt::format("'{}' vs '{}'", a.substr(0, 200), b.substr(0, 200));
  }
}

// Whether the policy has a `scheduler` parameter (a run-time order that can be fixed).
bool has_scheduler(const std::string& policy) {
  const PolicyInfo* info = find_policy(policy);
  if (!info) return false;
  std::unique_ptr<Policy> made = info->make();
  for (const ParamRow& row : describe_params([&](FieldVisitor& v) { made->visit_params(v); }))
    if (row.path == "scheduler") return true;
  return false;
}

// Broken relations of policies with a dynamic scheduler, redone with the in-order one: those
// that hold then are scheduling anomalies.
void classify_anomalies(RandomCheckReport& report, int jobs, InputCache& cache) {
  std::vector<RunRequest> reqs;
  std::vector<RelationOutcome*> outcomes;
  std::map<std::string, bool> scheduled;
  for (RandomPointReport& p : report.points)
    for (RelationOutcome& o : p.relations) {
      const std::string& policy = p.point.request.policy;
      if (o.broken.empty()) continue;
      if (!scheduled.count(policy)) scheduled[policy] = has_scheduler(policy);
      if (!scheduled[policy]) continue;
      RunRequest base = p.point.request, variant = o.request;
      replace_set(base.sets, "policy.scheduler=in-order");
      replace_set(variant.sets, "policy.scheduler=in-order");
      reqs.push_back(base);
      reqs.push_back(variant);
      outcomes.push_back(&o);
    }
  const std::vector<RandomRun> runs =
      run_checked(reqs, std::vector<bool>(reqs.size(), false), jobs, cache);
  for (size_t k = 0; k < outcomes.size(); ++k) {
    const RandomRun &base = runs[2 * k], &variant = runs[2 * k + 1];
    RelationOutcome& o = *outcomes[k];
    if (!base.ok() || !variant.ok()) continue;
    const std::string fixed = compare(o.relation, base.figures, variant.figures);
    if (!fixed.empty()) continue;
    o.anomaly = fmt::format(
        "{}; with the in-order scheduler it holds (total {:.9g} s -> {:.9g} "
        "s, TTFT {:.9g} s -> {:.9g} s)",
        o.broken, base.figures.total_s, variant.figures.total_s, base.figures.ttft_s,
        variant.figures.ttft_s);
    o.broken.clear();
  }
}

}  // namespace

namespace {

// Runs (each point's and each of its variants') for which `pred` holds.
template <class Pred>
size_t count_runs(const std::vector<RandomPointReport>& points, Pred pred) {
  size_t n = 0;
  for (const RandomPointReport& p : points) {
    n += pred(p.run);
    for (const RelationOutcome& o : p.relations) n += pred(o.run);
  }
  return n;
}

// Relation outcomes (with their point) for which `pred` holds.
template <class Pred>
size_t count_relations(const std::vector<RandomPointReport>& points, Pred pred) {
  size_t n = 0;
  for (const RandomPointReport& p : points)
    for (const RelationOutcome& o : p.relations) n += pred(p, o);
  return n;
}

}  // namespace

size_t RandomCheckReport::runs() const {
  return count_runs(points, [](const RandomRun& r) { return r.ok(); });
}

size_t RandomCheckReport::invariant_failures() const {
  return count_runs(points, [](const RandomRun& r) { return !r.violations.empty(); });
}

size_t RandomCheckReport::failed_runs() const {
  return count_runs(
      points, [](const RandomRun& r) { return r.status == "error" || r.status == "crashed"; });
}

size_t RandomCheckReport::relation_failures() const {
  return count_relations(points, [](auto&, const RelationOutcome& o) { return !o.broken.empty(); });
}

size_t RandomCheckReport::relations_checked() const {
  return count_relations(points, [](const RandomPointReport& p, const RelationOutcome& o) {
    return o.run.ok() && p.run.ok();
  });
}

size_t RandomCheckReport::anomalies() const {
  return count_relations(points,
                         [](auto&, const RelationOutcome& o) { return !o.anomaly.empty(); });
}

size_t RandomCheckReport::determinism_failures() const {
  size_t n = 0;
  for (const RandomPointReport& p : points) n += !p.determinism.empty();
  return n;
}

size_t RandomCheckReport::violations() const {
  return invariant_failures() + failed_runs() + relation_failures() + determinism_failures();
}

int RandomCheckReport::exit_code() const {
  return violations() > 0 ? kExitCheckFailed : 0;
}

RandomCheckReport run_random_check(const RandomCheckRequest& req) {
  const auto start = std::chrono::steady_clock::now();
  RandomCheckReport report;
  report.request = req;
  PointDrawer drawer(req.space, req.seed);
  InputCache& cache = drawer.cache();
  auto determinism_point = [&](size_t index) {
    return req.determinism_every > 0 && index % req.determinism_every == 0;
  };

  // The points: draw, run, and draw replacements for those that cannot run.
  size_t next = 0;
  for (size_t round = 0; round < kMaxRounds && report.points.size() < req.points; ++round) {
    std::vector<RandomPoint> drawn;
    for (size_t k = report.points.size(); k < req.points; ++k) drawn.push_back(drawer.draw(next++));
    std::vector<RunRequest> reqs;
    std::vector<bool> want;
    for (const RandomPoint& p : drawn) {
      reqs.push_back(p.request);
      want.push_back(determinism_point(p.index));
      report.redraws += p.redraws;
    }
    report.drawn += drawn.size();
    std::vector<RandomRun> runs = run_checked(reqs, want, req.jobs, cache);
    for (size_t k = 0; k < drawn.size(); ++k) {
      if (runs[k].status == "infeasible" || runs[k].status == "input_error") {
        ++report.infeasible;
        if (report.infeasible_examples.size() < 5)
          report.infeasible_examples.push_back(
              fmt::format("{}: {}", drawn[k].label(), runs[k].message));
        continue;
      }
      report.points.push_back({std::move(drawn[k]), std::move(runs[k]), {}, 0, {}, false});
    }
  }

  // The variants of every point that ran, screened here so that only valid ones run.
  std::vector<RunRequest> variant_reqs;
  std::vector<std::pair<size_t, size_t>> owner;  // (point, relation slot)
  for (size_t i = 0; i < report.points.size(); ++i) {
    RandomPointReport& p = report.points[i];
    if (!p.run.ok()) continue;
    RandomStream r(req.seed ^ 0x5EEDF00DULL, p.point.index);
    for (Variant& v : applicable_variants(p.point, r)) {
      if (p.relations.size() >= req.relations_per_point) break;
      if (!screen(v.request, cache).empty()) {
        ++p.variants_rejected;
        continue;
      }
      owner.emplace_back(i, p.relations.size());
      variant_reqs.push_back(v.request);
      p.relations.push_back({v.relation, v.change, v.request, {}, {}, {}});
    }
  }
  const std::vector<RandomRun> variant_runs =
      run_checked(variant_reqs, std::vector<bool>(variant_reqs.size(), false), req.jobs, cache);
  for (size_t k = 0; k < variant_runs.size(); ++k) {
    RandomPointReport& p = report.points[owner[k].first];
    RelationOutcome& o = p.relations[owner[k].second];
    o.run = variant_runs[k];
    if (o.run.ok()) o.broken = compare(o.relation, p.run.figures, o.run.figures);
  }
  classify_anomalies(report, req.jobs, cache);

  // Determinism: the sweep's point runner under -j 1 and -j 2, and a fresh process.
  std::vector<size_t> det;
  std::vector<RunRequest> det_reqs;
  for (size_t i = 0; i < report.points.size(); ++i)
    if (report.points[i].run.ok() && determinism_point(report.points[i].point.index)) {
      det.push_back(i);
      det_reqs.push_back(report.points[i].point.request);
    }
  const std::vector<std::string> j1 = run_as_sweep(det_reqs, 1, cache);
  const std::vector<std::string> j2 = run_as_sweep(det_reqs, 2, cache);
  for (size_t k = 0; k < det.size(); ++k) {
    RandomPointReport& p = report.points[det[k]];
    p.determinism_checked = true;
    const std::string& base = p.run.result;
    auto same = [&](const char* where, const std::string& got) {
      if (got != base)
        p.determinism.push_back(fmt::format("{} differs: {}", where, first_difference(base, got)));
    };
    same("the sweep point runner under -j 1", j1[k]);
    same("the sweep point runner under -j 2", j2[k]);
    if (!req.socsim_exe.empty()) same("a fresh socsim run", run_fresh(req.socsim_exe, det_reqs[k]));
  }
  report.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace socsim::check
