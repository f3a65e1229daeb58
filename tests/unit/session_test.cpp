// App sessions: strict session files; the lowering of reused prefixes, decode continuations and
// batched passes; FCFS, SARATHI and layered prefill scheduling checked against hand-composed
// single runs; prefix KV reuse and eviction; and the thermal network and governor by hand.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>

#include "sim/config/diagnostics.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/session/session_sim.hpp"
#include "sim/thermal/thermal_model.hpp"
#include "tests/unit/in_data_dir.hpp"
#include "tests/unit/socsim_runner.hpp"

using namespace socsim;

namespace {

class Session : public socsim::testing::InDataDir {};

LoadedRun load(const std::string& session, std::vector<std::string> sets = {},
               const std::string& policy = "cpu") {
  RunRequest req;
  req.hw = "oneplus-12", req.model = "qwen1.5-1.8b", req.policy = policy;
  req.session = session;
  req.sets = std::move(sets);
  return load_run(req);
}

RunMetrics single(int64_t prompt, int64_t gen, int64_t past, const std::string& policy = "cpu") {
  RunRequest req;
  req.hw = "oneplus-12", req.model = "qwen1.5-1.8b", req.policy = policy;
  req.sets = {fmt::format("workload.prompt={}", prompt), fmt::format("workload.gen={}", gen),
              fmt::format("workload.past={}", past)};
  return simulate(load_run(req), BackendKind::kAnalytic)->metrics;
}

SessionResult run(LoadedRun& r) {
  SessionOptions o;
  o.backend = BackendKind::kAnalytic;
  return simulate_session(r, r.session, o);
}

const SessionRequestResult& by_id(const SessionResult& r, const std::string& id) {
  for (const auto& q : r.requests)
    if (q.id == id) return q;
  throw std::logic_error("no request " + id);
}

}  // namespace

TEST_F(Session, BadFilesNameEveryProblemWithItsLine) {
  auto message = [](const std::string& file) {
    try {
      load(file);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string unknown = message("tests/sessions/unknown-key.yaml");
  EXPECT_NE(unknown.find("unknown-key.yaml:8:5: error: unknown key 'requests.a.colour'"),
            std::string::npos)
      << unknown;
  const std::string refs = message("tests/sessions/bad.yaml");
  EXPECT_NE(refs.find("exactly one of `arrival` and `after`"), std::string::npos) << refs;
  EXPECT_NE(refs.find("`after: b` names no earlier request"), std::string::npos) << refs;
  EXPECT_NE(refs.find("`prefix: c` names no earlier request"), std::string::npos) << refs;
  EXPECT_NE(refs.find("bad.yaml:6:"), std::string::npos) << refs;  // at the `after` key
}

TEST_F(Session, SessionSetsNeedASession) {
  RunRequest req;
  req.sets = {"session.scheduler=sarathi"};
  EXPECT_THROW(load_run(req), InputError);
}

TEST_F(Session, PastTokensAreAttendedNotComputed) {
  const RunMetrics reused = single(32, 1, 224), whole = single(256, 1, 0), alone = single(32, 1, 0);
  EXPECT_LT(reused.prefill_s, 0.5 * whole.prefill_s);
  EXPECT_GT(reused.prefill_s, alone.prefill_s);  // attention reads the 224 earlier positions
  EXPECT_DOUBLE_EQ(reused.memory.kv_cache, whole.memory.kv_cache);
}

TEST_F(Session, FcfsComposesSingleRuns) {
  LoadedRun r = load("tests/sessions/two-requests.yaml", {"session.decode_slice=1000"});
  const SessionResult s = run(r);
  const SessionRequestResult& a = by_id(s, "long");
  const SessionRequestResult& b = by_id(s, "short");
  // The long request alone: a prefill step (first token), then one decode step of 39 tokens.
  const RunMetrics pre_a = single(128, 1, 0);
  EXPECT_NEAR(a.first_token, pre_a.total_s, 1e-9);
  EXPECT_EQ(a.reused, 0);
  // The short one waits for the long one to finish, then runs alone.
  EXPECT_NEAR(b.start, a.end, 1e-12);
  EXPECT_NEAR(b.first_token - b.start, single(32, 1, 0).total_s, 1e-9);
  EXPECT_NEAR(b.queueing(), a.end - 2.0, 1e-9);
  EXPECT_NEAR(s.makespan_s, b.end, 1e-12);
  EXPECT_GT(s.energy.total, 0);
  EXPECT_NEAR(a.energy_j + b.energy_j, s.energy.total, 1e-9 * s.energy.total);  // no idle gap
}

TEST_F(Session, DecodeSlicesAddUpToOneDecode) {
  LoadedRun whole = load("tests/sessions/two-requests.yaml", {"session.decode_slice=1000"});
  LoadedRun sliced = load("tests/sessions/two-requests.yaml", {"session.decode_slice=8"});
  const SessionResult a = run(whole), b = run(sliced);
  // Decode steps are independent passes: slicing changes nothing but the per-step fixed costs.
  EXPECT_NEAR(by_id(a, "long").end, by_id(b, "long").end, 1e-3 * by_id(a, "long").end);
  EXPECT_GT(b.step_count, a.step_count);
}

TEST_F(Session, ChatReusesTheConversationsKv) {
  LoadedRun r = load("tests/sessions/chat.yaml");
  const SessionResult s = run(r);
  const SessionRequestResult &t1 = by_id(s, "t1"), &t2 = by_id(s, "t2"), &t3 = by_id(s, "t3");
  EXPECT_EQ(t1.reused, 0);
  EXPECT_EQ(t1.recomputed, 64);  // the system prompt, computed once by the first turn
  EXPECT_EQ(t2.reused, 64 + 32 + 8 - 1);
  EXPECT_EQ(t3.reused, t2.reused + 16 + 8 - 1);
  EXPECT_NEAR(t2.arrival, t1.end + 2.0, 1e-12);
  EXPECT_NEAR(t3.arrival, t2.end + 1.0, 1e-12);
  // t2 prefills its 16 tokens over the 103 cached ones.
  EXPECT_NEAR(t2.first_token - t2.start, single(16, 1, 103).total_s, 1e-9);
  // Without reuse every turn recomputes the whole conversation.
  LoadedRun nr = load("tests/sessions/chat.yaml", {"session.reuse_prefix=false"});
  const SessionResult n = run(nr);
  EXPECT_EQ(by_id(n, "t3").reused, 0);
  EXPECT_EQ(by_id(n, "t3").recomputed, t3.reused);
  EXPECT_GT(by_id(n, "t3").ttft(), t3.ttft());
  // The idle think time draws idle power only.
  EXPECT_GT(s.makespan_s, s.busy_s + 3.0 - 1e-9);
}

TEST_F(Session, EvictedPrefixesAreRecomputed) {
  // A budget that holds the weights, a 200-token prefill's activations and 300 tokens of KV: b's
  // KV (203 tokens) pushes a's finished context (203) out.
  const RunMetrics one = single(200, 1, 0);
  const double other = one.memory.total() - one.memory.kv_cache;
  const double per_token = one.memory.kv_cache / 201;
  const double budget = other + per_token * 300;
  LoadedRun r = load("tests/sessions/evict.yaml", {fmt::format("workload.memory={:.0f}B", budget)});
  const SessionResult s = run(r);
  EXPECT_EQ(by_id(s, "a2").reused, 0);
  EXPECT_EQ(by_id(s, "a2").recomputed, 203);
  EXPECT_LE(s.peak_memory, budget * (1 + 1e-12));
  // With room for both, a's context is still there.
  LoadedRun big = load("tests/sessions/evict.yaml");
  EXPECT_EQ(by_id(run(big), "a2").reused, 203);
}

TEST_F(Session, BatchedPassReadsWeightsOnce) {
  LoadedRun r = load("tests/sessions/two-requests.yaml");
  Workload w = r.workload;
  w.batch = {{1, 100, 0, -1, true}, {1, 200, 0, -1, true}};
  r.workload = w;
  const auto two = simulate(r, BackendKind::kAnalytic);
  w.batch = {{1, 100, 0, -1, true}};
  r.workload = w;
  const auto one = simulate(r, BackendKind::kAnalytic);
  EXPECT_LT(two->metrics.total_s, 1.3 * one->metrics.total_s);
  EXPECT_GT(two->metrics.total_s, one->metrics.total_s);
  // Layered: a prompt through the first 6 of 24 layers computes no logits and a quarter of them.
  w.batch = {{64, 0, 0, 6, true}};
  r.workload = w;
  const auto quarter = simulate(r, BackendKind::kAnalytic);
  int layers_seen = 0, heads = 0;
  for (OpId i = 0; i < quarter->graph.size(); ++i) {
    layers_seen = std::max(layers_seen, quarter->graph.op(i).layer + 1);
    heads += quarter->graph.name(i) == "lm_head";
  }
  EXPECT_EQ(layers_seen, 6);
  EXPECT_EQ(heads, 0);
}

TEST_F(Session, SarathiAndLayeredCutTheShortRequestsWait) {
  LoadedRun f = load("tests/sessions/two-requests.yaml");
  LoadedRun s = load("tests/sessions/two-requests.yaml", {"session.scheduler=sarathi"});
  LoadedRun l = load("tests/sessions/two-requests.yaml", {"session.scheduler=layered"});
  const SessionResult fr = run(f), sr = run(s), lr = run(l);
  EXPECT_LT(by_id(sr, "short").ttft(), 0.5 * by_id(fr, "short").ttft());
  EXPECT_LT(by_id(lr, "short").ttft(), 0.5 * by_id(fr, "short").ttft());
  EXPECT_LT(sr.ttft.p99, fr.ttft.p99);
  // Layered prefill advances a quarter of the layers per pass: 4 passes to the first token.
  int passes = 0;
  for (const auto& m : lr.decode_marks) passes += m.first <= by_id(lr, "short").first_token;
  EXPECT_GE(passes, 3);
  // Policies that cannot fuse sequences refuse the batched schedulers.
  EXPECT_THROW(
      {
        LoadedRun m =
            load("tests/sessions/two-requests.yaml", {"session.scheduler=sarathi"}, "mllm-npu");
        run(m);
      },
      InputError);
}

TEST(Thermal, SteadyStateIsTheResistanceChain) {
  ThermalSpec t;
  ThermalModel m(t, 2);
  const std::vector<double> p{3.0, 0.0};
  m.advance(20000, p, 1.0);
  const double total = 4.0;
  EXPECT_NEAR(m.skin(), t.ambient + total * t.skin_ambient_resistance, 1e-6);
  EXPECT_NEAR(m.package(), m.skin() + total * t.package_skin_resistance, 1e-6);
  EXPECT_NEAR(m.unit(0), m.package() + 3.0 * t.source_resistance, 1e-6);
  EXPECT_NEAR(m.unit(1), m.package(), 1e-6);
}

TEST(Thermal, SkinFollowsItsTimeConstant) {
  ThermalSpec t;
  t.source_capacity = 1e-3, t.package_capacity = 1e-3;  // only the skin stores heat
  ThermalModel m(t, 1);
  const double tau = t.skin_ambient_resistance * t.skin_capacity;
  m.advance(tau, std::vector<double>{2.0}, 0.0);
  EXPECT_NEAR(m.skin() - t.ambient, 2.0 * t.skin_ambient_resistance * (1 - std::exp(-1.0)), 0.05);
}

TEST(Thermal, GovernorStepsClocksDownAndBackUp) {
  HwSpec hw = load_hw(std::string(SOCSIM_DATA_DIR) + "/hwprofiles/oneplus-12.yaml");
  ThermalGovernor g(hw);
  ThermalSpec t;
  const double big_top = hw.cpu[0].second.clock, mid_top = hw.cpu[1].second.clock;
  // A hot skin (25 + 4 W x 8 K/W = 57 C; the big cluster's hot spot 81 C, below its junction
  // limit): every unit goes one DVFS state down per call.
  ThermalModel hot(t, g.units().size());
  std::vector<double> p(g.units().size(), 0.0);
  p[0] = 4.0;
  hot.advance(20000, p, 0.0);
  EXPECT_TRUE(g.update(t, hot));
  EXPECT_LT(hw.cpu[0].second.clock, big_top);
  EXPECT_LT(hw.cpu[1].second.clock, mid_top);
  const double big_once = hw.cpu[0].second.clock;
  EXPECT_TRUE(g.update(t, hot));
  EXPECT_LT(hw.cpu[0].second.clock, big_once);
  // In the hysteresis band nothing moves; below it one state comes back per call.
  ThermalSpec band = t;
  band.ambient = t.skin_limit - 1;  // the skin of a cold model sits at ambient
  ThermalModel warm(band, g.units().size());
  const double held = hw.cpu[0].second.clock;
  g.update(band, warm);
  EXPECT_EQ(hw.cpu[0].second.clock, held);
  ThermalModel cool(t, g.units().size());
  g.update(t, cool);
  EXPECT_GT(hw.cpu[0].second.clock, held);
  g.update(t, cool);
  EXPECT_FALSE(g.throttled());
  EXPECT_EQ(hw.cpu[0].second.clock, big_top);
}

TEST_F(Session, ShippedSessionsRunUnderEveryPolicyThatCan) {
  for (const std::string& session : shipped_names("experiments/sessions")) {
    for (const std::string& policy : policy_names()) {
      const bool sparse = policy == "powerinfer2" || policy == "llmflash";
      for (const char* scheduler : {"fcfs", "sarathi", "layered"}) {
        RunRequest req;
        req.hw = "oneplus-12", req.policy = policy, req.session = session;
        req.model = sparse ? "bamboo-7b" : "qwen1.5-1.8b";
        req.sets = {std::string("session.scheduler=") + scheduler};
        LoadedRun r = load_run(req);
        if (std::string(scheduler) != "fcfs" && !r.policy->batches()) {
          EXPECT_THROW(run(r), InputError) << session << " " << policy << " " << scheduler;
          continue;
        }
        const SessionResult s = run(r);
        ASSERT_EQ(s.requests.size(), r.session.requests.size());
        for (const SessionRequestResult& q : s.requests) {
          EXPECT_GT(q.ttft(), 0) << session << " " << policy << " " << scheduler << " " << q.id;
          EXPECT_GE(q.end, q.first_token);
          EXPECT_GE(q.start, q.arrival);
        }
        EXPECT_GT(s.energy.total, 0);
      }
    }
  }
}

TEST_F(Session, BatchedSchedulersBeatFcfsOnTheMixedSessionsP99) {
  SessionResult by[3];
  const char* names[3] = {"fcfs", "sarathi", "layered"};
  for (int i = 0; i < 3; ++i) {
    LoadedRun r = load("chat-with-background-summary",
                       {std::string("session.scheduler=") + names[i]}, "llamacpp");
    by[i] = run(r);
  }
  EXPECT_LT(by[1].ttft.p99, by[0].ttft.p99);
  EXPECT_LT(by[2].ttft.p99, by[0].ttft.p99);
  EXPECT_LT(by[1].ttft.p90, 0.5 * by[0].ttft.p90);  // the turns no longer wait for the summary
}

TEST_F(Session, ThermalOffLeavesShortRunsAndSessionsAlone) {
  // A short run stepped with the governor on: the skin never reaches its limit, so nothing moves.
  LoadedRun off = load("persona-chat", {}, "llamacpp");
  LoadedRun on = load("persona-chat", {"hw.thermal.enabled=true"}, "llamacpp");
  const SessionResult a = run(off), b = run(on);
  EXPECT_FALSE(a.thermal.enabled);
  EXPECT_TRUE(b.thermal.enabled);
  EXPECT_EQ(b.thermal.throttled_s, 0);
  EXPECT_DOUBLE_EQ(a.makespan_s, b.makespan_s);
  EXPECT_GT(b.thermal.peak_skin_c, on.hw->thermal.ambient);
  EXPECT_LT(b.thermal.peak_skin_c, on.hw->thermal.skin_limit);
}

TEST_F(Session, LongDecodeThrottlesAndSlows) {
  // 6,000 tokens of Llama-2-7B decode on the CPU (about 25 minutes): ~15 W for minutes.
  RunRequest req;
  req.hw = "oneplus-12", req.model = "llama-2-7b", req.policy = "llamacpp";
  req.sets = {"workload.prompt=64", "workload.gen=6000", "hw.thermal.enabled=true",
              "model.weight_dtype=int4"};
  LoadedRun r = load_run(req);
  prepare_session(r);
  const SessionResult s = run(r);
  EXPECT_GT(s.thermal.throttled_s, 60);
  // The hot spots pass the junction limit first (about 15 W through the package), then the
  // governor holds them near it and the skin below its limit.
  EXPECT_GE(s.thermal.peak_hottest_c, r.hw->thermal.junction_limit);
  EXPECT_LT(s.thermal.peak_hottest_c, r.hw->thermal.junction_limit + 15);
  EXPECT_LT(s.thermal.peak_skin_c, r.hw->thermal.skin_limit + 3);
  EXPECT_LT(decode_rate(s, 60, true), decode_rate(s, 60, false));
  // The profile's own clocks are back after the run.
  EXPECT_EQ(r.hw->cpu[0].second.clock, r.hw->cpu[0].second.rated_clock);
}

TEST_F(Session, SweepsTakeSessionsSchedulersAndTheThermalSwitch) {
  const std::filesystem::path dir = socsim::testing::temp_path("sessions-sweep");
  const auto r = socsim::testing::run_socsim(
      {"sweep", "experiments/sweeps/sessions.yaml", "--out", dir.string(), "-j", "2", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string csv = socsim::testing::read_text(dir / "results.csv");
  std::filesystem::remove_all(dir);
  EXPECT_NE(csv.find("session.scheduler"), std::string::npos);
  EXPECT_NE(csv.find("ttft_s.p99"), std::string::npos);
  EXPECT_NE(csv.find("thermal.peak_skin_c"), std::string::npos);
  size_t rows = 0, ok = 0;
  for (size_t pos = csv.find(",ok,"); pos != std::string::npos; pos = csv.find(",ok,", pos + 1))
    ++ok;
  for (char c : csv) rows += c == '\n';
  EXPECT_EQ(rows, 13u);  // the header and 12 points (2 sessions x 3 schedulers x thermal off/on)
  EXPECT_EQ(ok, 12u);
}
