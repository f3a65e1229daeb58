// The library of shipped models beyond the papers' (Llama 3.x, Qwen2.5, Phi-3-mini, Gemma 2): each
// file's config.json values give the parameter count its model card publishes (an independent
// check of the transcribed numbers), and each runs under the dense-model policies on a phone.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sim/driver/simulate.hpp"
#include "sim/model/model_spec.hpp"

using namespace socsim;

namespace {

// Parameter counts from the model cards on huggingface.co (safetensors totals), in billions.
const std::vector<std::pair<std::string, double>> kPublished = {
    {"llama-3.2-1b", 1.24}, {"llama-3.2-3b", 3.21}, {"llama-3.1-8b", 8.03}, {"qwen2.5-0.5b", 0.494},
    {"qwen2.5-1.5b", 1.54}, {"qwen2.5-7b", 7.62},   {"phi-3-mini", 3.82},   {"gemma-2-2b", 2.61},
};

}  // namespace

TEST(ModelLibrary, ParameterCountsMatchTheModelCards) {
  for (const auto& [name, billions] : kPublished) {
    RunRequest req;
    req.model = name;
    const LoadedRun run = load_run(req);
    const double total = static_cast<double>(run.model.total_params()) / 1e9;
    EXPECT_NEAR(total / billions, 1.0, 0.005) << name << ": " << total << "B";
  }
}

TEST(ModelLibrary, EveryModelRunsUnderTheDensePolicies) {
  for (const auto& [name, billions] : kPublished)
    for (const char* policy : {"cpu", "gpu", "npu", "mllm-npu", "llamacpp"}) {
      RunRequest req;
      req.hw = "oneplus-12";
      req.model = name;
      req.policy = policy;
      req.sets = {"workload.prompt=64", "workload.gen=2"};
      const LoadedRun run = load_run(req);
      const auto out = simulate(run, BackendKind::kAnalytic);
      EXPECT_GT(out->metrics.ttft_s, 0.0) << name << " " << policy;
      EXPECT_GT(out->metrics.decode_tokens_per_s, 0.0) << name << " " << policy;
    }
}
