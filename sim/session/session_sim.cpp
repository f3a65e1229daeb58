// Session simulation; see session_sim.hpp.
#include "sim/session/session_sim.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "sim/config/units.hpp"
#include "sim/session/session_state.hpp"
#include "sim/thermal/thermal_model.hpp"

namespace socsim {

Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
  };
  p.p50 = at(0.5), p.p90 = at(0.9), p.p99 = at(0.99), p.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(v.size());
  return p;
}

double decode_rate(const SessionResult& r, double window, bool last) {
  if (r.decode_marks.empty()) return 0;
  // Each mark's tokens were decoded over its step; steps are taken as ending at their mark.
  const double first = r.decode_marks.front().first, end = r.decode_marks.back().first;
  const double lo = last ? std::max(first, end - window) : first;
  const double hi = last ? end : std::min(end, first + window);
  int64_t tokens = 0;
  for (const auto& [t, n] : r.decode_marks)
    if (t >= lo && t <= hi) tokens += n;
  return hi > lo ? static_cast<double>(tokens) / (hi - lo) : 0;
}

namespace {

void add_energy(EnergyBreakdown& into, const EnergyBreakdown& e) {
  for (const auto& [name, j] : e.by_unit) {
    auto it = std::find_if(into.by_unit.begin(), into.by_unit.end(),
                           [&name = name](const auto& p) { return p.first == name; });
    if (it == into.by_unit.end())
      into.by_unit.emplace_back(name, j);
    else
      it->second += j;
  }
  into.total += e.total;
}

class SessionRunner {
 public:
  SessionRunner(LoadedRun& run, const SessionSpec& spec, const SessionOptions& o)
      : run_(run), spec_(spec), o_(o), state_(spec, run.model), base_(run.workload) {
    if (spec.scheduler != "fcfs" && !run.policy->batches())
      throw InputError({"--set session.scheduler=" + spec.scheduler},
                       fmt::format("policy '{}' cannot run several sequences in one pass, which "
                                   "the {} scheduler needs; use session.scheduler=fcfs",
                                   run.policy_name, spec.scheduler));
    layer_group_ =
        spec.layer_group > 0 ? spec.layer_group : std::max<int64_t>(1, (run.model.layers + 3) / 4);
    r_.name = spec.name, r_.scheduler = spec.scheduler;
    if (run.hw->has_thermal && run.hw->thermal.enabled) {
      // The steps are single runs: the network and the governor live here, not in them.
      run.hw->thermal.enabled = false;
      governor_.emplace(*run.hw);
      thermal_.emplace(run.hw->thermal, governor_->units().size());
      r_.thermal.enabled = true;
      for (const ThrottledUnit& u : governor_->units()) r_.thermal.units.push_back(u.name);
    }
  }

  SessionResult run() {
    const PlatformSpec platform = make_platform(*run_.hw);
    while (!state_.all_done()) {
      state_.release_arrivals(t_);
      Step step = spec_.scheduler == "fcfs"      ? fcfs_step()
                  : spec_.scheduler == "sarathi" ? sarathi_step()
                                                 : layered_step();
      if (step.seqs.empty()) {
        const double next = state_.next_arrival(t_);
        if (!std::isfinite(next))
          throw std::logic_error("session: no request can run and none will arrive");
        idle(platform, next);
        continue;
      }
      execute(step);
    }
    finish();
    if (governor_) {  // the profile's own clocks and switch again
      for (ThrottledUnit& u : governor_->units()) u.spec->clock = u.clocks.back();
      run_.hw->thermal.enabled = true;
    }
    return std::move(r_);
  }

 private:
  // What one step computes for one request.
  struct Seq {
    int request;
    int64_t tokens;  // prefill rows, or decode tokens (fcfs decode slices: several)
    bool prefill;
    int64_t first_layer = 0, end_layer = -1;
  };
  struct Step {
    std::vector<Seq> seqs;
  };

  // fcfs: continue the request in service, else admit the next one.
  Step fcfs_step() {
    Step s;
    int i = state_.in_service();
    if (i < 0) i = state_.admit_next(t_);
    if (i < 0) return s;
    const LiveRequest& q = state_.live(i);
    if (q.to_prefill > 0)
      s.seqs.push_back({i, q.to_prefill, true});
    else
      s.seqs.push_back({i, std::min(spec_.decode_slice, q.gen - q.decoded), false});
    return s;
  }

  Step sarathi_step() {
    Step s;
    decodes(s);
    int64_t left = spec_.token_budget - static_cast<int64_t>(s.seqs.size());
    for (int i : state_.prefilling()) {
      if (left <= 0) break;
      const int64_t chunk = std::min(left, state_.live(i).to_prefill);
      s.seqs.push_back({i, chunk, true});
      left -= chunk;
    }
    while (left > 0) {
      const int i = state_.admit_next(t_);
      if (i < 0) break;
      const int64_t chunk = std::min(left, state_.live(i).to_prefill);
      s.seqs.push_back({i, chunk, true});
      left -= chunk;
    }
    return s;
  }

  Step layered_step() {
    Step s;
    decodes(s);
    std::vector<int> pre = state_.prefilling();
    int i = pre.empty() ? state_.admit_next(t_) : pre.front();
    if (i >= 0) {
      const LiveRequest& q = state_.live(i);
      const int64_t end = std::min(q.prefill_layer + layer_group_, run_.model.layers);
      s.seqs.push_back({i, q.to_prefill, true, q.prefill_layer, end});
    }
    return s;
  }

  void decodes(Step& s) {
    for (int i : state_.decoding()) s.seqs.push_back({i, 1, false});
  }

  void execute(const Step& step) {
    Workload w = base_;
    w.batch.clear();
    w.past = 0;
    const bool single = spec_.scheduler == "fcfs";
    if (single) {
      const Seq& q = step.seqs.front();
      const LiveRequest& lr = state_.live(q.request);
      w.past = lr.context;
      w.prompt = q.prefill ? q.tokens : 0;
      w.gen = q.prefill ? 1 : q.tokens;
    } else {
      for (const Seq& q : step.seqs) {
        const LiveRequest& lr = state_.live(q.request);
        BatchSequence b;
        b.tokens = q.tokens, b.past = lr.context;
        b.first_layer = q.first_layer, b.end_layer = q.end_layer;
        b.logits = !q.prefill || (q.tokens == lr.to_prefill &&
                                  (q.end_layer < 0 || q.end_layer >= run_.model.layers));
        w.batch.push_back(b);
      }
      w.prompt = 1, w.gen = 1;
    }
    run_.workload = w;
    std::unique_ptr<RunOutput> out = simulate(run_, o_.backend);
    const double dur = out->metrics.total_s;
    const double start = t_;
    if (governor_ && governor_->throttled()) r_.thermal.throttled_s += dur;
    t_ += dur;
    heat(out->metrics.energy, dur);
    int64_t decoded = 0;
    for (const Seq& q : step.seqs) decoded += q.prefill ? 0 : q.tokens;
    if (decoded > 0) r_.decode_marks.emplace_back(t_, decoded);
    r_.busy_s += dur;
    r_.ops_simulated += out->metrics.ops_simulated;
    ++r_.step_count;
    add_energy(r_.energy, out->metrics.energy);
    other_memory_ =
        std::max(other_memory_, out->metrics.memory.total() - out->metrics.memory.kv_cache);
    budget_ = out->metrics.memory_budget;
    double rows = 0;
    for (const Seq& q : step.seqs) rows += static_cast<double>(q.tokens);
    SessionStep kept;
    kept.start = start;
    for (const Seq& q : step.seqs) {
      state_.live_mut(q.request).energy_j +=
          out->metrics.energy.total * static_cast<double>(q.tokens) / rows;
      kept.requests.push_back(q.request);
      if (q.prefill)
        state_.prefilled(q.request, q.tokens, q.end_layer, t_);
      else
        state_.decoded(q.request, q.tokens, t_);
    }
    state_.fit_kv(std::max(0.0, budget_ - other_memory_), run_.policy->can_offload());
    sample();
    if (o_.keep_steps) {
      kept.run = std::move(out);
      r_.steps.push_back(std::move(kept));
    }
  }

  void idle(const PlatformSpec& p, double until) {
    static const TaskGraph empty;
    const EnergyBreakdown e = account_energy(empty, {}, {}, p, t_, until);
    add_energy(r_.energy, e);
    if (governor_ && governor_->throttled()) r_.thermal.throttled_s += until - t_;
    const double dur = until - t_;
    t_ = until;
    heat(e, dur);
    sample();
  }

  // Heats the thermal network with a step's (or an idle gap's) average powers, then lets the
  // governor move the clocks the next step runs at.
  void heat(const EnergyBreakdown& e, double dur) {
    if (!thermal_ || !(dur > 0)) return;
    const std::vector<ThrottledUnit>& units = governor_->units();
    std::vector<double> power(units.size(), 0.0);
    double package = 0;
    for (const auto& [name, j] : e.by_unit) {
      auto it = std::find_if(units.begin(), units.end(),
                             [&name = name](const ThrottledUnit& u) { return u.name == name; });
      if (it == units.end())
        package += j / dur;
      else
        power[static_cast<size_t>(it - units.begin())] += j / dur;
    }
    thermal_->advance(dur, power, package);
    governor_->update(run_.hw->thermal, *thermal_);
    ThermalSample ts;
    ts.t = t_;
    ts.skin_c = thermal_->skin(), ts.package_c = thermal_->package();
    ts.hottest_c = thermal_->hottest_unit();
    for (const ThrottledUnit& u : units) ts.clocks.push_back(u.spec->clock);
    SessionThermal& th = r_.thermal;
    th.peak_skin_c = std::max(th.peak_skin_c, ts.skin_c);
    th.peak_package_c = std::max(th.peak_package_c, ts.package_c);
    th.peak_hottest_c = std::max(th.peak_hottest_c, ts.hottest_c);
    th.samples.push_back(std::move(ts));
  }

  void sample() {
    SessionSample s;
    s.t = t_;
    s.kv_bytes = state_.kv_tokens() * run_.model.kv_bytes_per_token();
    s.memory_bytes = other_memory_ + s.kv_bytes;
    s.running = state_.running();
    s.waiting = state_.waiting(t_);
    r_.peak_memory = std::max(r_.peak_memory, s.memory_bytes);
    r_.timeline.push_back(s);
  }

  void finish() {
    std::vector<double> ttft, tpot, e2e, queue;
    for (size_t i = 0; i < spec_.requests.size(); ++i) {
      const LiveRequest& q = state_.live(static_cast<int>(i));
      SessionRequestResult res;
      res.id = spec_.requests[i].first;
      res.arrival = q.arrival, res.start = q.start, res.first_token = q.first_token;
      res.end = q.end, res.prompt = q.prompt, res.reused = q.reused;
      res.recomputed = q.recomputed, res.gen = q.gen, res.priority = q.priority;
      res.energy_j = q.energy_j;
      ttft.push_back(res.ttft());
      if (res.gen > 1) tpot.push_back(res.tpot());
      e2e.push_back(res.e2e());
      queue.push_back(res.queueing());
      r_.makespan_s = std::max(r_.makespan_s, res.end);
      r_.requests.push_back(res);
    }
    r_.ttft = percentiles(ttft), r_.tpot = percentiles(tpot), r_.e2e = percentiles(e2e);
    r_.queueing = percentiles(queue);
    r_.kv_budget = std::max(0.0, budget_ - other_memory_);
  }

  LoadedRun& run_;
  const SessionSpec& spec_;
  const SessionOptions& o_;
  SessionState state_;
  const Workload base_;
  SessionResult r_;
  int64_t layer_group_ = 1;
  double t_ = 0;
  double other_memory_ = 0;  // largest memory of a step other than its KV cache
  double budget_ = 0;
  std::optional<ThermalGovernor> governor_;  // writes the clocks into run_.hw
  std::optional<ThermalModel> thermal_;
};

}  // namespace

bool runs_as_session(const LoadedRun& run) {
  return !run.session_path.empty() || (run.hw->has_thermal && run.hw->thermal.enabled);
}

void prepare_session(LoadedRun& run) {
  if (!run.session_path.empty() || !runs_as_session(run)) return;
  if (run.workload.past > 0)
    throw InputError({"--set workload.past"},
                     "a run with hw.thermal.enabled is simulated as a session: give the reused "
                     "prefix as a session file's system_prompt instead");
  run.session = single_request_session(run.workload.prompt, run.workload.gen);
}

SessionResult simulate_session(LoadedRun& run, const SessionSpec& session,
                               const SessionOptions& options) {
  return SessionRunner(run, session, options).run();
}

}  // namespace socsim
