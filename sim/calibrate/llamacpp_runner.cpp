// Child-process plumbing for llamacpp_runner.hpp: the request goes in as one JSON argument, the
// script answers one JSON line per measured repeat on stdout; stderr is kept for error messages.
#include "sim/calibrate/llamacpp_runner.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>

#include "sim/calibrate/awake_cpus.hpp"
#include "sim/calibrate/page_cache_bench.hpp"
#include "sim/stats/median.hpp"

#ifndef SOCSIM_BUILD_DIR
#define SOCSIM_BUILD_DIR "build"
#endif

namespace socsim::calibrate {
namespace fs = std::filesystem;
namespace {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a command; returns its stdout, throws with stderr's tail on a non-zero exit.
std::string run_command(const std::string& cmd) {
  const std::string err =
      (fs::temp_directory_path() / fmt::format("socsim-llamacpp-{}.err", ::getpid())).string();
  std::FILE* p = ::popen((cmd + " 2>" + shell_quote(err)).c_str(), "r");
  if (!p) throw std::runtime_error("cannot start: " + cmd);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  std::string message;
  if (std::FILE* f = std::fopen(err.c_str(), "r")) {
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) message.append(buf, n);
    std::fclose(f);
  }
  std::remove(err.c_str());
  if (status != 0) {
    if (message.size() > 2000) message = message.substr(message.size() - 2000);
    throw std::runtime_error(fmt::format("llama.cpp run failed (status {}): {}", status, message));
  }
  return out;
}

}  // namespace

double estimate(const std::vector<double>& v, TimingEstimator e) {
  if (v.empty()) return 0;
  return e == TimingEstimator::kMin ? *std::min_element(v.begin(), v.end()) : median(v);
}

double LlamaCppTiming::decode_mean_s() const {
  return decode_s.empty() ? 0
                          : std::accumulate(decode_s.begin(), decode_s.end(), 0.0) /
                                static_cast<double>(decode_s.size());
}

std::optional<LlamaCppInstall> find_llamacpp(std::string* why) {
  LlamaCppInstall in;
  in.script = (fs::path(SOCSIM_DATA_DIR) / "sim/calibrate/llamacpp/llamacpp_timer.mjs").string();
  const char* env = std::getenv("SOCSIM_LLAMACPP_MODULES");
  in.modules = env && *env ? env : (fs::path(SOCSIM_BUILD_DIR) / "llamacpp/node_modules").string();
  in.node = "node";
  const auto fail = [&](std::string reason) -> std::optional<LlamaCppInstall> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  if (!fs::exists(fs::path(in.modules) / "node-llama-cpp/dist/index.js"))
    return fail(
        fmt::format("llama.cpp's npm packages are not installed in {} (the setup step "
                    "installs them with npm when Node.js 20 or newer is present)",
                    in.modules));
  std::string version;
  try {
    version = run_command("node --version");
  } catch (const std::exception&) {
    return fail("node (Node.js 20 or newer) is not on PATH");
  }
  if (version.size() < 3 || version[0] != 'v' || std::atoi(version.c_str() + 1) < 20)
    return fail("node-llama-cpp needs Node.js 20 or newer; node --version says " + version);
  return in;
}

std::vector<LlamaCppTiming> time_llamacpp(const LlamaCppInstall& in, const std::string& gguf,
                                          const std::vector<LlamaCppRun>& runs,
                                          const LlamaCppTimerOptions& o) {
  nlohmann::json req{{"modules", in.modules}, {"model", gguf},      {"threads", o.threads},
                     {"context", o.context},  {"warmup", o.warmup}, {"repeats", o.repeats}};
  int64_t longest = 1;
  for (const LlamaCppRun& r : runs) {
    req["runs"].push_back({{"prompt", r.prompt}, {"gen", r.gen}});
    longest = std::max(longest, r.prompt);
  }
  req["batch"] = std::max<int64_t>(512, longest);
  std::string node = in.node + " " + shell_quote(in.script) + " " + shell_quote(req.dump());
  std::optional<MemoryCgroup> cgroup;
  if (o.memory_limit > 0) {
    cgroup.emplace(o.memory_limit);
    node = cgroup->wrap(node);
    drop_file_cache(gguf);
  }
  std::string out;
  {
    const AwakeCpus awake(o.keep_cpus_awake);
    out = run_command(fmt::format("timeout -k 5 {} ", o.timeout_s) + node);
  }
  std::vector<std::vector<double>> prefill(runs.size());
  std::vector<std::vector<std::vector<double>>> steps(runs.size());
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("run"))
      throw std::runtime_error("llama.cpp timer printed an unexpected line: " + line);
    const size_t r = j["run"].get<size_t>();
    if (r >= runs.size()) throw std::runtime_error("llama.cpp timer: run index out of range");
    prefill[r].push_back(j["prefill_s"].get<double>());
    steps[r].push_back(j["decode_s"].get<std::vector<double>>());
  }
  std::vector<LlamaCppTiming> result;
  for (size_t r = 0; r < runs.size(); ++r) {
    if (prefill[r].empty()) throw std::runtime_error("llama.cpp timer: no timing for a run");
    LlamaCppTiming t;
    t.prompt = runs[r].prompt, t.gen = runs[r].gen;
    t.repeats = static_cast<int>(prefill[r].size());
    t.prefill_s = estimate(prefill[r], o.estimator);
    for (int64_t s = 0; s + 1 < runs[r].gen; ++s) {
      std::vector<double> v;
      for (const auto& rep : steps[r])
        if (static_cast<size_t>(s) < rep.size()) v.push_back(rep[static_cast<size_t>(s)]);
      t.decode_s.push_back(estimate(v, o.estimator));
    }
    result.push_back(std::move(t));
  }
  return result;
}

}  // namespace socsim::calibrate
