// Speed of the activation model, as Google Benchmarks:
//  - Stochastic/Mixtral47B: 1,024 decoded tokens of TurboSparse-Mixtral-47B (models/, 32 layers,
//    8 experts, top-2, 14336 neurons per expert, 15% active) with the default parameters,
//    construction included. Target: well under 1 s (the whole simulation must stay under 2 s).
//  - Stochastic/Mixtral47B_Locality0: the same with locality 0 (every neuron redrawn each token,
//    the most state changes).
//  - TraceRead/Mixtral47B: reading back a 64-token trace of the same model (text parsing).
// Counters: tokens_per_s, active neurons per token (summed over layers and routed experts).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "sim/sparse/activation_model.hpp"
#include "sim/sparse/activation_trace.hpp"

using namespace socsim;

namespace {

ActivationShape mixtral_shape() {
  return activation_shape(load_model(SOCSIM_DATA_DIR "/models/turbosparse-mixtral-47b.yaml"));
}

constexpr int64_t kTokens = 1024;

void run_stochastic(benchmark::State& state, ActivationParams params) {
  const ActivationShape shape = mixtral_shape();
  int64_t active = 0;
  for (auto _ : state) {
    StochasticActivations source(shape, params);
    for (int64_t t = 0; t < kTokens; ++t) {
      source.next_token();
      for (int64_t l = 0; l < shape.layers; ++l)
        for (int32_t e : source.experts(l))
          active += static_cast<int64_t>(source.active(l, e).size());
    }
    benchmark::DoNotOptimize(active);
  }
  const double tokens = static_cast<double>(kTokens * state.iterations());
  state.counters["tokens_per_s"] = benchmark::Counter(tokens, benchmark::Counter::kIsRate);
  state.counters["active_per_token"] = static_cast<double>(active) / tokens;
}

void BM_StochasticMixtral47B(benchmark::State& state) {
  run_stochastic(state, {});
}
BENCHMARK(BM_StochasticMixtral47B)->Name("Stochastic/Mixtral47B")->Unit(benchmark::kMillisecond);

void BM_StochasticMixtral47BLocality0(benchmark::State& state) {
  ActivationParams p;
  p.locality = 0;
  run_stochastic(state, p);
}
BENCHMARK(BM_StochasticMixtral47BLocality0)
    ->Name("Stochastic/Mixtral47B_Locality0")
    ->Unit(benchmark::kMillisecond);

void BM_TraceReadMixtral47B(benchmark::State& state) {
  constexpr int64_t kTraceTokens = 64;
  const std::string path =
      (std::filesystem::temp_directory_path() / "socsim_activation_bench.trace").string();
  {
    StochasticActivations source(mixtral_shape());
    write_activation_trace(source, kTraceTokens, path);
  }
  int64_t active = 0;
  for (auto _ : state) {
    TraceActivations trace(path);
    for (int64_t t = 0; t < kTraceTokens; ++t) {
      trace.next_token();
      for (int64_t l = 0; l < trace.shape().layers; ++l)
        for (int32_t e : trace.experts(l))
          active += static_cast<int64_t>(trace.active(l, e).size());
    }
    benchmark::DoNotOptimize(active);
  }
  std::filesystem::remove(path);
  const double tokens = static_cast<double>(kTraceTokens * state.iterations());
  state.counters["tokens_per_s"] = benchmark::Counter(tokens, benchmark::Counter::kIsRate);
  state.counters["active_per_token"] = static_cast<double>(active) / tokens;
}
BENCHMARK(BM_TraceReadMixtral47B)->Name("TraceRead/Mixtral47B")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
