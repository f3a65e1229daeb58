// Runs llama.cpp on this machine: the prebuilt CPU build of the npm package node-llama-cpp,
// installed by the setup step into <build>/llamacpp/node_modules, driven by the Node script
// sim/calibrate/llamacpp/llamacpp_timer.mjs in a child process. Each run is a prefill of `prompt`
// tokens and `gen - 1` single-token decode steps on a fresh sequence, timed per step. Repeats are
// rounds over all runs; each time returned is the minimum over repeats (after warm-up) by
// default: on a shared or virtual machine the noise only ever adds time, so the fastest repeat is
// the estimate least disturbed by it (the median is kept as an option).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace socsim::calibrate {

struct LlamaCppInstall {
  std::string node;     // the node executable
  std::string script;   // llamacpp_timer.mjs
  std::string modules;  // the node_modules folder holding node-llama-cpp
};

// Finds node (>= 20) and the installed packages ($SOCSIM_LLAMACPP_MODULES or the build tree's);
// nullopt with the reason in *why when something is missing.
std::optional<LlamaCppInstall> find_llamacpp(std::string* why);

struct LlamaCppRun {
  int64_t prompt = 0, gen = 1;
};

struct LlamaCppTiming {
  int64_t prompt = 0, gen = 1;
  double prefill_s = 0;          // over repeats (the estimator): the prompt and the first token
  std::vector<double> decode_s;  // over repeats, each decode step (gen - 1 of them)
  double decode_mean_s() const;  // mean of decode_s (0 when gen = 1)
  int repeats = 0;
};

enum class TimingEstimator { kMin, kMedian };
// The time a run's repeated measurements stand for (0 for none).
double estimate(const std::vector<double>& v, TimingEstimator e);

struct LlamaCppTimerOptions {
  int threads = 1;
  int64_t context = 2048;
  int warmup = 1, repeats = 3;
  int timeout_s = 1800;  // the llama.cpp process is killed after this long (a hung run is an error)
  // > 0: llama.cpp runs in a memory cgroup of this many bytes (page cache included), the GGUF's
  // pages dropped from the page cache first, so weights that do not fit are paged in from disk.
  double memory_limit = 0;
  // One SCHED_IDLE spinner per CPU during the run, so a woken thread never waits for a halted
  // vCPU's next timer tick (awake_cpus.hpp).
  bool keep_cpus_awake = true;
  TimingEstimator estimator = TimingEstimator::kMin;
};

// Times `runs` on `gguf`; throws std::runtime_error with llama.cpp's message when it fails.
std::vector<LlamaCppTiming> time_llamacpp(const LlamaCppInstall& in, const std::string& gguf,
                                          const std::vector<LlamaCppRun>& runs,
                                          const LlamaCppTimerOptions& o);

}  // namespace socsim::calibrate
