// Scheduling policies are plug-ins behind this interface. A policy (1) declares its parameters once
// (visit_params), (2) checks that it can run on a model and platform, (3) lowers the run into a
// task graph, assigning every op to units with a rank, (4) optionally picks among runnable ready
// ops at run time (default: lowest rank first), and (5) states the memory it needs. New policies
// live in policy/impl/, one file each, and register with SOCSIM_REGISTER_POLICY.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"
#include "sim/graph/task_graph.hpp"
#include "sim/lower/lower_context.hpp"

namespace socsim {

// Peak memory, by part (bytes).
struct MemoryPlan {
  double weights = 0;        // resident weights in their stored type (e.g. INT8)
  double float_weights = 0;  // float weight rows held beside them (shadow outlier rows)
  double kv_cache = 0;       // KV cache at the longest context of the run
  double activations = 0;    // largest live activations (and attention scores)
  double graphs = 0;         // NPU graph objects
  double total() const { return weights + float_weights + kv_cache + activations + graphs; }
};

// What a policy's scheduler may look at when it picks the next op: the graph, every op's
// estimated cost (time alone on its placement) and the ops dispatched so far.
struct SimView {
  const TaskGraph& graph;
  std::span<const double> op_seconds;  // estimated duration of each op alone
};

// Returned by Policy::select to dispatch nothing now (e.g. an in-order scheduler waiting for the
// next op of a unit's sequence to become ready).
inline constexpr size_t kNoDispatch = SIZE_MAX;

class Policy {
 public:
  virtual ~Policy() = default;
  virtual void visit_params(FieldVisitor& v) = 0;
  // Reports why this policy cannot run here (e.g. no NPU in the profile).
  virtual void check(const LowerContext& ctx, Diagnostics& diags) const = 0;
  virtual void lower(const LowerContext& ctx, TaskGraph& g) const = 0;
  virtual MemoryPlan memory(const LowerContext& ctx, const TaskGraph& g) const = 0;
  // The memory budget the run's plan is held to: by default the workload's (--memory, or the
  // model less its offloaded FFN share plus the KV cache; else the profile's available DRAM). A
  // policy whose offload share, not a budget, defines the run may say otherwise.
  virtual double budget(const LowerContext& ctx, const MemoryPlan& plan) const;
  // The engine profile (name in hwprofiles/engines/ or a path) whose kernel efficiencies this
  // policy runs with; empty = the hardware profile's own figures.
  virtual std::string engine() const { return {}; }
  // True if the policy can run with weights that do not fit in the budget (offloading to flash).
  virtual bool can_offload() const { return false; }
  // True if the policy's lowering can run one forward pass over several sequences of different
  // lengths and contexts (Workload::batch), as the batched session schedulers need.
  virtual bool batches() const { return false; }
  // Called once before a simulation of `g` on `p` starts (schedulers reset their state here).
  virtual void begin(const TaskGraph& g, const PlatformSpec& p) const {
    (void)g;
    (void)p;
  }
  // Index into `runnable` of the op to dispatch next (all of them have free slots right now), or
  // kNoDispatch to leave the units idle until the next completion. Called once per dispatch.
  virtual size_t select(std::span<const OpId> runnable, const SimView& view) const;
  // Told when an op has been dispatched (schedulers with sequences advance here).
  virtual void dispatched(OpId op) const { (void)op; }
  // What decides the run-time order beyond the graph, as text: two runs of equal graphs, costs and
  // platforms whose policies give equal texts dispatch identically (simulation_memo.hpp reuses
  // one's result for the other). The default select() reads only ranks. A policy that overrides
  // begin/select/dispatched returns everything they read besides the graph's ops, edges and costs
  // (its scheduler's name and parameters).
  virtual std::string schedule_key() const { return "lowest-rank"; }
  // The policy's own figures of the last lowering (e.g. neuron-cache hit rate), reported as
  // result key `policy_metrics`.
  virtual std::vector<std::pair<std::string, double>> metrics() const { return {}; }
};

struct PolicyInfo {
  std::string name;
  std::string summary;
  std::function<std::unique_ptr<Policy>()> make;
};

std::vector<PolicyInfo>& policy_registry();
const PolicyInfo* find_policy(const std::string& name);
std::vector<std::string> policy_names();

struct PolicyRegistration {
  PolicyRegistration(std::string name, std::string summary,
                     std::function<std::unique_ptr<Policy>()> make);
};

#define SOCSIM_REGISTER_POLICY(Type, name, summary)             \
  static ::socsim::PolicyRegistration socsim_policy_reg_##Type( \
      name, summary, [] { return std::make_unique<Type>(); })

}  // namespace socsim
