// Reuse of simulations within one process. The points of a design-space sweep often lower to the
// same task graph: a parameter that does not act on a point (mllm-NPU's outlier prune rate with
// shadow execution off: 39% of the design-space sweep's points) changes nothing the engine sees.
// What a simulation returns (every op's dispatch, start and end, and the dispatch order) is a
// function of the graph, the op costs, the platform's units and links, the policy's run-time
// scheduler and the backend alone, so a run whose inputs equal an earlier run's, byte for byte,
// takes that run's result instead of simulating again: bit-identical by construction. Keys hold
// those inputs in full (matched by content, not by a hash alone). The SimGrid energy plugin's
// backend is not memoised (it reports more than timings). Runs that are simulated reuse the last
// run's SimGrid engine and platform when they can (EngineReuseScope, backend.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/cost/estimator.hpp"
#include "sim/engine/backend.hpp"
#include "sim/engine/platform.hpp"
#include "sim/engine/simulation.hpp"

namespace socsim {

struct MemoisedRun {
  std::vector<OpTiming> timing;
  std::vector<OpId> dispatch_order;
};

// The bytes a simulation's result depends on, written to `key`: every op (tags, placement, lane,
// rank, timing inputs, name), its predecessors, its cost, the platform's units and links, the
// policy's scheduling text (Policy::schedule_key) and the backend. Op parts enter through the
// costs: nothing in the engine or the schedulers reads them.
void write_simulation_key(const TaskGraph& g, const std::vector<OpCost>& costs,
                          const PlatformSpec& platform, std::string_view schedule,
                          BackendKind backend, std::string& key);

class SimulationMemo {
 public:
  // Keeps keys and results up to about `max_bytes`, the most recent first: enough for the runs a
  // sweep's nearby points share (an inactive parameter varies within a few dozen points), small
  // enough that a worker's memory stays flat once the memo is full.
  explicit SimulationMemo(size_t max_bytes = size_t{4} << 20) : max_bytes_(max_bytes) {}

  // The result of an earlier run with these inputs, or null (the key is then kept for keep()).
  const MemoisedRun* find(const TaskGraph& g, const std::vector<OpCost>& costs,
                          const PlatformSpec& platform, std::string_view schedule,
                          BackendKind backend);
  // Stores the result of the run last looked up and not found.
  void keep(MemoisedRun run);

  size_t hits() const { return hits_; }
  size_t bytes() const { return bytes_; }  // of the keys and results kept
  size_t misses() const { return misses_; }

 private:
  struct Entry {
    uint64_t hash;
    std::string key;
    MemoisedRun run;
  };
  static uint64_t hash_of(std::string_view key);
  static size_t bytes_of(const Entry& e);

  // A run that is not found still reuses the last run's SimGrid engine when the platform is the
  // same (EngineReuseScope), for as long as the memo lives.
  EngineReuseScope engine_reuse_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  size_t hits_ = 0, misses_ = 0;
  // Keys are written here from its start; it only grows, so writing a key allocates and fills
  // nothing once it is as long as the longest. A miss's key is its first pending_length_ bytes,
  // copied to its entry by keep(); 0 when no miss waits for keep().
  std::string scratch_;
  size_t pending_length_ = 0;
  uint64_t pending_hash_ = 0;
  std::deque<Entry> entries_;  // oldest first; entry i has the number first_id_ + i
  uint64_t first_id_ = 0;
  std::unordered_multimap<uint64_t, uint64_t> ids_by_hash_;
};

}  // namespace socsim
