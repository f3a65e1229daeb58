// Simulating an app session (session_spec.hpp) on one design point: a session scheduler decides,
// step by step, what the SoC computes next from the requests that have arrived; each step is one
// simulation of the run's policy (sim/driver/simulate) on a workload made for it, and the session
// clock advances by its duration. Idle gaps between requests draw the SoC's idle power.
//
// Schedulers (session.scheduler):
//   fcfs     one request at a time to its end (priority, then arrival): a prefill step with the
//            request's new tokens over its reused prefix, then decode steps of `decode_slice`
//            tokens. Every policy can run it, with its own lowering.
//   sarathi  SARATHI (arXiv 2308.16369): every pass decodes one token of every running request
//            and fills the rest of `token_budget` rows with prefill chunks of waiting requests,
//            all rows fused in each linear op (one weight read per pass).
//   layered  layered prefill ("From Tokens to Layers", arXiv 2510.08055): every pass decodes every
//            running request and runs one waiting prompt, whole, through `layer_group` more
//            layers, so a prefill never stalls the decodes for more than a group of layers.
// The batched schedulers need a policy that can fuse sequences in one pass (Policy::batches).
//
// KV cache: a request extends its prefix's KV when it is still cached (the system prompt, or an
// earlier request's whole context); otherwise the prefix is recomputed in its prefill. Finished
// requests' KV stays cached within the memory budget left by the run's other memory, evicted
// least recently used first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/driver/simulate.hpp"
#include "sim/session/session_spec.hpp"

namespace socsim {

struct SessionRequestResult {
  std::string id;
  double arrival = 0;      // s from the session's start
  double start = 0;        // first step that computed it
  double first_token = 0;  // end of its prefill
  double end = 0;          // its last token
  int64_t prompt = 0;      // new prompt tokens
  int64_t reused = 0;      // prefix tokens found in the KV cache
  int64_t recomputed = 0;  // prefix tokens computed again (not cached, or evicted)
  int64_t gen = 0;
  int64_t priority = 0;
  double energy_j = 0;  // its share of every step it was in (by rows) and of nothing else
  double ttft() const { return first_token - arrival; }
  double queueing() const { return start - arrival; }
  double e2e() const { return end - arrival; }
  // Time per output token after the first; 0 for a one-token reply.
  double tpot() const { return gen > 1 ? (end - first_token) / static_cast<double>(gen - 1) : 0; }
};

// The session's state after each step.
struct SessionSample {
  double t = 0;
  double kv_bytes = 0;      // KV cache of running requests and cached prefixes
  double memory_bytes = 0;  // the run's memory other than KV, plus kv_bytes
  int running = 0;          // requests admitted and not finished
  int waiting = 0;          // arrived, not admitted
};

// One simulated step, kept for the trace when asked.
struct SessionStep {
  double start = 0;
  std::vector<int> requests;  // indices of the requests it computed
  std::unique_ptr<RunOutput> run;
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, mean = 0, max = 0;
};
// Linear interpolation between closest ranks; all zero for no values.
Percentiles percentiles(std::vector<double> values);

// Heating and throttling over the session (hw.thermal.enabled).
struct ThermalSample {
  double t = 0;
  double skin_c = 0, package_c = 0, hottest_c = 0;
  std::vector<double> clocks;  // per throttled unit (SessionThermal::units), Hz
};
struct SessionThermal {
  bool enabled = false;
  std::vector<std::string> units;  // "cpu.big", ..., "gpu", "npu"
  double throttled_s = 0;          // time with any unit below its top clock
  double peak_skin_c = 0, peak_package_c = 0, peak_hottest_c = 0;
  std::vector<ThermalSample> samples;  // after every step and idle gap
};

struct SessionResult {
  std::string name, scheduler;
  std::vector<SessionRequestResult> requests;  // in file order
  std::vector<SessionSample> timeline;
  std::vector<SessionStep> steps;  // with their runs only when kept
  size_t step_count = 0;
  double makespan_s = 0;   // last token of the last request
  double busy_s = 0;       // time some request was being computed
  EnergyBreakdown energy;  // steps plus idle gaps
  double kv_budget = 0;    // bytes the KV cache may take
  double peak_memory = 0;
  size_t ops_simulated = 0;
  Percentiles ttft, tpot, e2e, queueing;
  // Decode progress: (end of a step, tokens it decoded), for burst and sustained rates.
  std::vector<std::pair<double, int64_t>> decode_marks;
  SessionThermal thermal;
};

// Decode tokens per second over the first (burst) or last (sustained) `window` seconds of a
// session's decoding; the whole decoding when it is shorter.
double decode_rate(const SessionResult& r, double window, bool last);

struct SessionOptions {
  bool keep_steps = false;  // keep every step's run (for the trace)
  BackendKind backend = BackendKind::kSimGrid;
};

// True when `run` is simulated as a session: it names one, or its profile's thermal model is on
// (heating acts between steps, so a single run becomes a session of one request).
bool runs_as_session(const LoadedRun& run);
// For a run without a session file whose thermal model is on: sets run.session to one request of
// the workload's prompt and generated tokens (InputError if it also reuses a prefix, which only a
// session file can say).
void prepare_session(LoadedRun& run);

// Runs `session` on `run` (hardware, model, policy; its workload's memory budget applies). The
// run's workload is changed step by step and left as the last step's.
SessionResult simulate_session(LoadedRun& run, const SessionSpec& session,
                               const SessionOptions& options = {});

}  // namespace socsim
