// End-to-end tests of the socsim command line: `run` (summary, JSON keys and their consistency,
// determinism, overrides, backends), the exit codes and exact diagnostics of bad and infeasible
// input, `list` and `describe`. Each test runs the built executable as a child process.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/socsim_runner.hpp"

namespace socsim::testing {
namespace {

using Args = std::vector<std::string>;

// `socsim run <args> --json -`: expects exit 0 and valid JSON on stdout.
nlohmann::json run_json(Args args) {
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--json", "-"});
  const ProcessResult r = run_socsim(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = parse_json(r.out);
  EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << r.out;
  EXPECT_TRUE(j.is_object());
  return j.is_object() ? j : nlohmann::json::object();
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

const Args kProfiles = {"iphone-15-pro", "macbook-pro-m1-max", "oneplus-12",    "oneplus-13",
                        "oneplus-ace2",  "pixel-8-pro",        "redmi-k60-pro", "redmi-k70-pro",
                        "vivo-x100-pro", "xiaomi-12"};
const Args kModels = {"bamboo-7b",
                      "deepseek-r1-distill-qwen-1.5b",
                      "gemma-2-2b",
                      "gemma-2b",
                      "llama-2-13b-prosparse",
                      "llama-2-7b",
                      "llama-3.1-8b",
                      "llama-3.2-1b",
                      "llama-3.2-3b",
                      "mistral-7b",
                      "phi-2",
                      "phi-3-mini",
                      "qwen1.5-1.8b",
                      "qwen2-7b",
                      "qwen2.5-0.5b",
                      "qwen2.5-1.5b",
                      "qwen2.5-7b",
                      "sparse-qwen2-7b",
                      "turbosparse-mistral-7b",
                      "turbosparse-mixtral-47b"};
const char* const kModelList =
    "bamboo-7b, deepseek-r1-distill-qwen-1.5b, gemma-2-2b, gemma-2b, llama-2-13b-prosparse, "
    "llama-2-7b, llama-3.1-8b, llama-3.2-1b, llama-3.2-3b, mistral-7b, phi-2, phi-3-mini, "
    "qwen1.5-1.8b, qwen2-7b, qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-7b, sparse-qwen2-7b, "
    "turbosparse-mistral-7b, turbosparse-mixtral-47b";

TEST(CliRun, DefaultsPrintSummary) {
  const ProcessResult r = run_socsim({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(
      r.out.rfind(
          "qwen1.5-1.8b on redmi-k70-pro with policy 'cpu': prompt 256 tokens, generate 32\n", 0),
      0u)
      << r.out;
  EXPECT_NE(r.out.find("\n  TTFT "), std::string::npos) << r.out;
  for (const char* row :
       {"\n  decode ", "\n  total ", "\n  energy ", "\n  peak memory ", "\n  simulated "})
    EXPECT_NE(r.out.find(row), std::string::npos) << row << " missing in:\n" << r.out;
}

TEST(CliRun, JsonHasEveryRequiredKey) {
  const nlohmann::json j = run_json({"--prompt", "64", "--gen", "4"});
  for (const char* k :
       {"prefill_s", "ttft_s", "prefill_tokens_per_s", "decode_s", "decode_tokens_per_s", "total_s",
        "energy_j", "peak_memory_bytes", "ops_simulated", "sim_wall_s"}) {
    ASSERT_TRUE(j.contains(k)) << "missing key " << k;
    EXPECT_TRUE(j[k].is_number()) << k;
    EXPECT_GE(j[k].get<double>(), 0.0) << k;
  }
  EXPECT_EQ(j["hw"], "redmi-k70-pro");
  EXPECT_EQ(j["model"], "qwen1.5-1.8b");
  EXPECT_EQ(j["policy"], "cpu");
  EXPECT_EQ(j["prompt_tokens"], 64);
  EXPECT_EQ(j["gen_tokens"], 4);
  EXPECT_TRUE(j["ops_simulated"].is_number_integer());
  EXPECT_GT(j["ops_simulated"].get<int64_t>(), 0);
  ASSERT_TRUE(j.contains("energy_j_by_unit"));
  ASSERT_TRUE(j["energy_j_by_unit"].is_object());
  ASSERT_FALSE(j["energy_j_by_unit"].empty());
  double sum = 0;
  for (const auto& [unit, e] : j["energy_j_by_unit"].items()) {
    ASSERT_TRUE(e.is_number()) << unit;
    EXPECT_GE(e.get<double>(), 0.0) << unit;
    sum += e.get<double>();
  }
  EXPECT_TRUE(near_rel(sum, j["energy_j"].get<double>(), 1e-9)) << sum << " vs " << j["energy_j"];
  EXPECT_GT(j["energy_j"].get<double>(), 0.0);
}

TEST(CliRun, JsonValuesAreConsistent) {
  const nlohmann::json j = run_json({"--prompt", "64", "--gen", "4"});
  const double prefill = j["prefill_s"], ttft = j["ttft_s"], decode = j["decode_s"],
               total = j["total_s"];
  EXPECT_GT(prefill, 0.0);
  EXPECT_GT(decode, 0.0);
  EXPECT_GE(ttft, prefill);
  EXPECT_TRUE(near_rel(total, ttft + decode, 1e-9)) << total << " vs " << ttft + decode;
  EXPECT_TRUE(near_rel(j["prefill_tokens_per_s"].get<double>(), 64.0 / prefill, 1e-9));
  EXPECT_TRUE(
      near_rel(j["decode_tokens_per_s"].get<double>(), 3.0 / decode, 1e-9));  // gen - 1 tokens
  double parts = 0;
  for (const auto& [part, b] : j["memory_bytes_by_part"].items()) parts += b.get<double>();
  EXPECT_TRUE(near_rel(parts, j["peak_memory_bytes"].get<double>(), 1e-9));
  EXPECT_LE(j["peak_memory_bytes"].get<double>(), j["memory_budget_bytes"].get<double>());
}

// Peak memory by part: mllm-npu holds INT8 weights, FP16 shadow outlier rows, the KV cache,
// activations and NPU graphs; the parts add up to the peak. Without shadow outliers there are no
// float rows; the cpu policy holds none either.
TEST(CliRun, MemoryPartsOfMllmNpuAddUpToThePeak) {
  const Args base = {"--policy", "mllm-npu", "--prompt", "512", "--gen", "2"};
  Args no_shadow = base;
  no_shadow.insert(no_shadow.end(), {"--set", "policy.shadow_outliers=false"});
  const nlohmann::json shadow = run_json(base), plain = run_json(no_shadow),
                       cpu = run_json({"--prompt", "512", "--gen", "2"});
  const std::vector<std::string> parts = {"weights", "float_weights", "kv_cache", "activations",
                                          "graphs"};
  std::vector<std::string> sorted_parts = parts;
  std::sort(sorted_parts.begin(), sorted_parts.end());
  for (const nlohmann::json* j : {&shadow, &plain, &cpu}) {
    ASSERT_TRUE(j->contains("memory_bytes_by_part"));
    const nlohmann::json& by_part = (*j)["memory_bytes_by_part"];
    std::vector<std::string> keys;
    double sum = 0;
    for (const auto& [part, b] : by_part.items()) {
      keys.push_back(part);
      ASSERT_TRUE(b.is_number()) << part;
      EXPECT_GE(b.get<double>(), 0.0) << part;
      sum += b.get<double>();
    }
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, sorted_parts);
    EXPECT_TRUE(near_rel(sum, (*j)["peak_memory_bytes"].get<double>(), 1e-12))
        << sum << " vs " << (*j)["peak_memory_bytes"];
  }
  // mllm-npu with shadow outliers holds every part.
  for (const std::string& part : parts)
    EXPECT_GT(shadow["memory_bytes_by_part"][part].get<double>(), 0.0) << part;
  EXPECT_EQ(plain["memory_bytes_by_part"]["float_weights"].get<double>(), 0.0);
  EXPECT_EQ(cpu["memory_bytes_by_part"]["float_weights"].get<double>(), 0.0);
  // Shadow outliers add float rows beside the INT8 weights, which stay the same.
  EXPECT_EQ(plain["memory_bytes_by_part"]["weights"].get<double>(),
            shadow["memory_bytes_by_part"]["weights"].get<double>());
}

TEST(CliRun, SameRunTwiceGivesIdenticalJson) {
  nlohmann::json a = run_json({"--prompt", "64", "--gen", "4"});
  nlohmann::json b = run_json({"--prompt", "64", "--gen", "4"});
  ASSERT_TRUE(a.contains("sim_wall_s"));
  a.erase("sim_wall_s");
  b.erase("sim_wall_s");
  EXPECT_EQ(a.dump(), b.dump());
}

TEST(CliRun, JsonFileMatchesJsonOnStdoutAndSummaryIsPrinted) {
  TempFile file("result.json");
  const ProcessResult r = run_socsim({"run", "--prompt", "32", "--gen", "2", "--json", file.str()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("TTFT"), std::string::npos);
  nlohmann::json from_file = parse_json(read_text(file.path));
  ASSERT_FALSE(from_file.is_discarded());
  nlohmann::json from_stdout = run_json({"--prompt", "32", "--gen", "2"});
  from_file.erase("sim_wall_s");
  from_stdout.erase("sim_wall_s");
  EXPECT_EQ(from_file.dump(), from_stdout.dump());
}

TEST(CliRun, LowerNpuClockGivesLongerPrefill) {
  const Args base = {"--policy", "npu", "--prompt", "64", "--gen", "2"};
  const nlohmann::json def = run_json(base);
  Args slow = base, rated = base;
  slow.insert(slow.end(), {"--set", "hw.npu.clock=600MHz"});
  rated.insert(rated.end(), {"--set", "hw.npu.clock=750MHz"});
  const nlohmann::json at600 = run_json(slow), at750 = run_json(rated);
  EXPECT_GT(at600["prefill_s"].get<double>(), def["prefill_s"].get<double>());
  // The default clock of the profile is 750 MHz: setting it explicitly changes nothing.
  EXPECT_EQ(at750["prefill_s"].get<double>(), def["prefill_s"].get<double>());
}

TEST(CliRun, AnalyticBackendMatchesSimGridOnSingleUnitPolicies) {
  for (const char* policy : {"cpu", "gpu", "npu"}) {
    const Args args = {"--policy", policy, "--prompt", "32", "--gen", "3"};
    Args analytic = args;
    analytic.insert(analytic.end(), {"--backend", "analytic"});
    const nlohmann::json sg = run_json(args), an = run_json(analytic);
    for (const char* k : {"total_s", "ttft_s", "energy_j"})
      EXPECT_TRUE(near_rel(sg[k].get<double>(), an[k].get<double>(), 1e-9))
          << policy << " " << k << ": simgrid " << sg[k] << " analytic " << an[k];
  }
}

TEST(CliErrors, MisspelledSetPathIsRejectedWithHint) {
  const ProcessResult r = run_socsim({"run", "--policy", "npu", "--set", "hw.npu.clok=600MHz"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(
      has_line(r.err,
               "--set hw.npu.clok=600MHz: error: unknown parameter 'hw.npu.clok'; did you mean "
               "'hw.npu.clock'?"))
      << r.err;
  EXPECT_TRUE(has_line(r.err, "socsim: 1 error(s) in the input")) << r.err;
}

TEST(CliErrors, UnknownPolicyIsRejectedWithHint) {
  const ProcessResult r = run_socsim({"run", "--policy", "nppu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(has_line(
      r.err,
      "--policy nppu: error: unknown policy 'nppu'; did you mean 'npu'? "
      "(registered: cpu, gpu, llamacpp, llmflash, mlc, mllm-npu, mnn, npu, npu-naive, powerinfer2, "
      "skeleton, tflite)"))
      << r.err;
}

TEST(CliErrors, UnknownModelListsShippedModels) {
  const ProcessResult r = run_socsim({"run", "--model", "llama-2-7x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(has_line(
      r.err,
      std::string(
          "--model llama-2-7x: error: no such file, and no shipped models of that name; did you "
          "mean 'llama-2-7b'? (shipped: ") +
          kModelList + ")"))
      << r.err;
}

TEST(CliErrors, ModelThatDoesNotFitIsInfeasible) {
  const Args shape = {"--model", "llama-2-7b", "--prompt", "64", "--gen", "4"};
  Args tight = shape;
  tight.insert(tight.begin(), "run");
  tight.insert(tight.end(), {"--memory", "4GB"});
  const ProcessResult r = run_socsim(tight);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err.rfind("socsim: error: llama-2-7b does not fit in memory under policy 'cpu': it needs ",
                  0),
      0u)
      << r.err;
  EXPECT_NE(r.err.find("but the budget is 4GB; policy 'cpu' cannot offload"), std::string::npos)
      << r.err;
  // The size it names (4 significant digits) is the peak memory of the same run with the profile's
  // larger budget.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex("it needs ([0-9.]+)GB ")));
  const nlohmann::json fits = run_json(shape);
  EXPECT_TRUE(near_rel(std::stod(m[1]) * 1e9, fits["peak_memory_bytes"].get<double>(), 5e-4))
      << r.err << "peak_memory_bytes " << fits["peak_memory_bytes"];
  EXPECT_GT(fits["peak_memory_bytes"].get<double>(), 4e9);
}

TEST(CliErrors, NegativePromptIsRejected) {
  const ProcessResult r = run_socsim({"run", "--prompt", "-5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(
      has_line(r.err,
               "--set workload.prompt=-5: error: prompt: -5 is out of range; it must be between 1 "
               "and 1048576"))
      << r.err;
}

TEST(CliErrors, UnwritableOutputIsBadInputBeforeSimulating) {
  const ProcessResult r =
      run_socsim({"run", "--prompt", "8", "--gen", "2", "--trace", "/nonexistent-dir/t.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");  // no summary of a run whose outputs cannot be written
  EXPECT_TRUE(has_line(r.err, "/nonexistent-dir/t.json: error: cannot open for writing")) << r.err;
}

TEST(CliErrors, BadOptionValuesExitWithTwo) {
  EXPECT_EQ(run_socsim({"run", "--backend", "fast"}).exit_code, 2);
  EXPECT_EQ(run_socsim({"run", "--prompt", "many"}).exit_code, 2);
  EXPECT_EQ(run_socsim({"run", "--no-such-option"}).exit_code, 2);
  EXPECT_EQ(run_socsim({}).exit_code, 2);  // a subcommand is required
  EXPECT_EQ(run_socsim({"--help"}).exit_code, 0);
}

TEST(CliList, ListsProfilesModelsPoliciesEstimators) {
  const ProcessResult r = run_socsim({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& o = r.out;
  const size_t hw = o.find("hardware profiles (hwprofiles/), by SoC vendor"),
               models = o.find("models (models/), by structure"), policies = o.find("policies:\n"),
               estimators = o.find("estimators (asked in this order):\n");
  ASSERT_EQ(hw, 0u) << o;
  ASSERT_NE(models, std::string::npos) << o;
  ASSERT_NE(policies, std::string::npos) << o;
  ASSERT_NE(estimators, std::string::npos) << o;
  ASSERT_TRUE(hw < models && models < policies && policies < estimators) << o;
  // Every profile once, under its vendor, with its SoC and the provenance of its numbers.
  const std::string hw_part = o.substr(0, models);
  Args profiles = kProfiles;  // plus a calibrated host profile, when `socsim calibrate` wrote one
  if (std::filesystem::exists(std::string(SOCSIM_DATA_DIR) + "/hwprofiles/host.yaml"))
    profiles.push_back("host");
  for (const std::string& p : profiles)
    EXPECT_TRUE(std::regex_search(hw_part, std::regex("\n    " + p + " +\\S.*% measured")))
        << p << " in\n"
        << hw_part;
  EXPECT_TRUE(std::regex_search(
      hw_part, std::regex("\n  Qualcomm\n(    .*\n)*    oneplus-12 +Snapdragon 8 Gen 3")))
      << hw_part;
  const size_t engines = o.find("engine profiles (hwprofiles/engines/):\n");
  ASSERT_TRUE(models < engines && engines < policies) << o;
  // Every model once, under its structure.
  const std::string model_part = o.substr(models, engines - models);
  for (const std::string& m : kModels)
    EXPECT_TRUE(std::regex_search(model_part, std::regex("\n    " + m + " +[0-9.]+B params")))
        << m << " in\n"
        << model_part;
  const size_t dense = model_part.find("\n  dense\n"),
               sparse = model_part.find("\n  activation-sparse"),
               moe = model_part.find("\n  mixture of experts\n");
  ASSERT_TRUE(dense < sparse && sparse < moe) << model_part;
  EXPECT_LT(model_part.find("    llama-2-7b "), sparse);
  EXPECT_GT(model_part.find("    bamboo-7b "), sparse);
  EXPECT_GT(model_part.find("    turbosparse-mixtral-47b "), moe);
  EXPECT_EQ(o.substr(engines, policies - engines),
            "engine profiles (hwprofiles/engines/):\n  llamacpp\n  mlc\n  mllm\n  mnn\n  tflite\n");
  const std::string pol = o.substr(policies, estimators - policies);
  for (const char* p : {"cpu", "gpu", "npu"})
    EXPECT_TRUE(std::regex_search(pol, std::regex(std::string("\n  ") + p + " +\\S")))
        << p << " in\n"
        << pol;
  const std::string est = o.substr(estimators);
  for (const char* e : {"roofline", "flash", "fixed-time"})
    EXPECT_TRUE(std::regex_search(est, std::regex(std::string("\n  ") + e + " +\\S")))
        << e << " in\n"
        << est;
}

// Every parameter row of `describe`: "PATH  TYPE ...  default: VALUE ...", then an indented
// meaning.
void expect_param_rows(const std::string& text, const std::string& root) {
  const std::regex row("^" + root + "\\.\\S+  .*");
  int rows = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!std::regex_match(line, row)) continue;
    ++rows;
    // Sections, mappings and lists ("PATH  (section)") group parameters and have no default.
    const size_t type = line.find("  ");
    if (line.compare(type, 3, "  (") != 0) {
      EXPECT_NE(line.find("  default: "), std::string::npos) << line;
    }
  }
  EXPECT_GE(rows, 2) << text;
}

TEST(CliDescribe, PolicyCpuHasParameterRowsWithDefaults) {
  const ProcessResult r = run_socsim({"describe", "policy.cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("policy cpu: every op on the CPU clusters", 0), 0u) << r.out;
  EXPECT_TRUE(has_line(r.out, "policy.chunk  integer  default: 0  bounds: [0, 1048576]")) << r.out;
  expect_param_rows(r.out, "policy");
}

TEST(CliDescribe, HwHasParameterRowsWithDefaults) {
  const ProcessResult r = run_socsim({"describe", "hw"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      has_line(r.out, "hw.npu.clock  frequency [Hz]  default: derived  bounds: [1MHz, 100GHz]"))
      << r.out;
  EXPECT_TRUE(
      has_line(r.out, "hw.cpu.<name>.idle_power  power [W]  default: 0W  bounds: [0W, 1kW]"))
      << r.out;
  expect_param_rows(r.out, "hw");
}

TEST(CliDescribe, ShippedProfileShowsResolvedConfig) {
  const ProcessResult r = run_socsim({"describe", "redmi-k70-pro"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("hw:\n", 0), 0u) << r.out;
  EXPECT_TRUE(has_line(r.out, "  name: redmi-k70-pro")) << r.out;
  EXPECT_TRUE(has_line(r.out, "policy:")) << r.out;
}

TEST(CliDescribe, UnknownNameExitsTwo) {
  ProcessResult r = run_socsim({"describe", "nonsense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("describe nonsense: error: nothing named 'nonsense' (one of: hw, model, "
                        "engine, workload, session, policy.cpu",
                        0),
            0u)
      << r.err;
  r = run_socsim({"describe", "polcy.cpu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(
                "describe polcy.cpu: error: nothing named 'polcy.cpu'; did you mean 'policy.cpu'?"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace socsim::testing
