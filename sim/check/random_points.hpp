// Random design points for `socsim check --random`: a shipped hardware profile (as shipped, or
// with up to three of its numbers scaled by 0.5-2x within their declared bounds), any shipped
// model, any policy, a prompt of 1 to 32k tokens and 0 to 2k generated tokens (both log-uniform),
// a memory budget and FFN offload share for policies that offload, and some policy parameters
// scaled, flipped or chosen within their bounds. The i-th point of a seed depends only on
// (seed, i). A draw the inputs reject (a perturbation that breaks a cross-field rule) or the
// policy refuses (its check() fails on the profile or model) is drawn again from the same
// stream, so every point returned loads and passes its policy's check.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/driver/input_cache.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/provenance/provenance.hpp"

namespace socsim::check {

// What random points are drawn from.
struct RandomSpace {
  std::vector<std::string> hw;        // shipped profile names (default: all but host)
  std::vector<std::string> models;    // shipped model names (default: all)
  std::vector<std::string> policies;  // registered names (default: all)
  int64_t max_prompt = 32768, max_gen = 2048;
};

// The space with empty lists filled by everything shipped and registered.
RandomSpace complete_space(RandomSpace s);

struct RandomPoint {
  size_t index = 0;  // the draw's key: the point is a function of (seed, index)
  RunRequest request;
  int64_t prompt = 0, gen = 0;
  bool can_offload = false;
  size_t redraws = 0;  // rejected draws before this one
  // The value of every hardware and policy parameter the point has (as read, then perturbed),
  // by `--set` path, so relations can derive their variants from them.
  std::map<std::string, ParameterValue> values;
  double dram_capacity = 0;  // of the profile, for budgets
  double memory_budget = 0;  // workload.memory when the point sets one, else 0
  std::string label() const;
  // `socsim run ...` of the point, for reproducing a finding by hand.
  std::string command() const;
};

// The `--set` of `path` in `sets` replaced by (or appended as) `set`.
void replace_set(std::vector<std::string>& sets, const std::string& set);

// Loads `req` and runs its policy's check(): the reason it cannot run, or empty.
std::string screen(const RunRequest& req, InputCache& cache);

class PointDrawer {
 public:
  PointDrawer(RandomSpace space, uint64_t seed);
  // The index-th point. Throws std::runtime_error when 200 draws in a row are rejected (a space
  // in which nothing can run).
  RandomPoint draw(size_t index);
  InputCache& cache() { return cache_; }

 private:
  const std::vector<ParameterProvenance>& hw_params(const std::string& hw);
  const std::vector<ParameterProvenance>& policy_params(const std::string& policy);
  RandomSpace space_;
  uint64_t seed_;
  InputCache cache_;
  std::map<std::string, std::vector<ParameterProvenance>> hw_params_, policy_params_;
  std::map<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>> choices_;
};

}  // namespace socsim::check
