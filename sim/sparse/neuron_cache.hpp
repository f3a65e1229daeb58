// PowerInfer-2's DRAM neuron cache (arXiv 2406.06282 v3, section 4.3): FFN weights of a sparse
// model live in flash and are cached per neuron (Gate row + Up row + Down column). A hot region
// caches clusters of `cluster_size` consecutive hot neurons of one (layer, expert) with an LRU over
// clusters; a cold region caches the remaining neurons with an LRU over neurons. Weights are
// read-only, so evictions are dropped. Neuron ids are hotness ranks within their (layer, expert)
// (0 hottest); ids below that matrix's hot limit are hot. An access is atomic: its neurons become
// the most recent (in id order), then least-recent units are evicted until each region fits. State
// is flat arrays (4 bytes per cold neuron and per hot cluster, plus a recency queue of about twice
// the units a region can hold): O(1) amortised per neuron, no allocation after construction.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/sparse/huge_page_allocator.hpp"

namespace socsim {

// An exact LRU over units 0..n-1 of given sizes (in neurons), bounded by a capacity in neurons.
// Recency is a queue of unit ids in access order with lazy deletion: pos[u] is the index of u's
// latest entry (older entries of u are stale and skipped), eviction pops the oldest live entry,
// and the queue is compacted in place when full (it holds twice the units that can be resident,
// plus up to 2^20 entries of slack and one access, so compaction is amortised O(1)). Accesses are
// 4-byte reads and writes in id or queue order with prefetching, no pointer chasing.
class LruRegion {
 public:
  LruRegion() = default;
  // sizes: neurons per unit (empty = every unit holds 1 neuron); max_batch: most units one access
  // touches.
  LruRegion(uint32_t units, std::vector<uint32_t> sizes, int64_t capacity_neurons,
            uint32_t max_batch);

  bool resident(uint32_t u) const { return pos_[u] != kAbsent; }
  uint32_t size_of(uint32_t u) const { return sizes_.empty() ? 1 : sizes_[u]; }
  int64_t used() const { return used_; }  // neurons held
  int64_t capacity() const { return capacity_; }
  uint32_t units() const { return static_cast<uint32_t>(pos_.size()); }
  size_t state_bytes() const {
    return (pos_.capacity() + queue_.capacity() + sizes_.capacity()) * sizeof(uint32_t);
  }
  // The resident units from most to least recent (for tests and reports; O(queue)).
  std::vector<uint32_t> order() const;

  // Makes a resident u the most recent; returns false if u is not resident.
  bool renew(uint32_t u) {
    if (pos_[u] == kAbsent) return false;
    push(u);
    return true;
  }
  // Inserts a non-resident u as the most recent without evicting (see evict_to_fit); returns false
  // and changes nothing when u alone exceeds the capacity.
  bool insert(uint32_t u) {
    const uint32_t s = size_of(u);
    if (s > capacity_) return false;
    push(u);
    used_ += s;
    return true;
  }
  // Fast path of one-neuron units: renews or inserts units base + id for the sorted ids, in order,
  // writing the ids that were not resident to missed (room for ids.size()). Returns their count.
  // Needs a capacity of at least one neuron.
  size_t touch_all(std::span<const uint32_t> ids, uint32_t base, uint32_t* missed);
  // Evicts least-recent units until the region fits its capacity; counts them.
  void evict_to_fit(int64_t& evicted_units, int64_t& evicted_neurons);

 private:
  static constexpr uint32_t kAbsent = 0xFFFFFFFFu;
  static constexpr size_t kAhead = 16;  // prefetch distance, in ids or queue entries
  void push(uint32_t u) {
    if (tail_ == queue_.size()) compact();
    pos_[u] = static_cast<uint32_t>(tail_);
    queue_[tail_++] = u;
  }
  void compact();

  using HugeArray = std::vector<uint32_t, HugePageAllocator<uint32_t>>;
  HugeArray pos_;    // per unit: index of its latest queue entry, or kAbsent
  HugeArray queue_;  // unit ids, oldest first, live ones from head_ to tail_
  std::vector<uint32_t> sizes_;
  size_t head_ = 0, tail_ = 0;
  int64_t capacity_ = 0;
  int64_t used_ = 0;
};

struct NeuronCacheConfig {
  int64_t layers = 0;
  int64_t experts = 1;  // 1 for a dense FFN
  int64_t neurons = 0;  // FFN neurons per (layer, expert)
  int64_t cluster_size = 1;
  // Hot neurons per (layer, expert): one value for all, or layers x experts values (layer-major).
  std::vector<int64_t> hot_limit;
  double hot_bytes = 0;   // capacity of the hot region
  double cold_bytes = 0;  // capacity of the cold region
  double bytes_per_neuron = 0;
};

// Neurons of one access by region; the id lists are views into the cache's buffers, valid until
// its next access.
struct AccessResult {
  int64_t hot_hits = 0;    // accessed hot neurons whose cluster was resident
  int64_t hot_misses = 0;  // accessed hot neurons whose cluster was not
  int64_t cold_hits = 0;
  int64_t cold_misses = 0;             // all cold misses (= active + gate-only)
  int64_t missed_cluster_neurons = 0;  // neurons of the missed clusters (whole clusters are read)
  std::span<const uint32_t> missed_clusters;   // cluster indices c (neurons c*cluster_size...)
  std::span<const uint32_t> missed_active;     // cold misses that are active (whole bundle read)
  std::span<const uint32_t> missed_gate_only;  // cold misses predicted but inactive (Gate read)

  int64_t hits() const { return hot_hits + cold_hits; }
  int64_t misses() const { return hot_misses + cold_misses; }
};

struct RegionStats {
  int64_t accesses = 0;  // neuron accesses
  int64_t hits = 0;
  int64_t misses = 0;
  int64_t miss_neurons = 0;  // neurons read for the misses (whole clusters in the hot region)
  int64_t loads = 0;         // units admitted (clusters or neurons)
  int64_t evictions = 0;     // units evicted (discarded)
  int64_t evicted_neurons = 0;
  int64_t bypassed = 0;  // missed units not admitted (larger than the region, or gate-only)

  double hit_rate() const { return accesses ? static_cast<double>(hits) / accesses : 0.0; }
  // Neuron bytes served from DRAM over those served plus those read from flash for the misses.
  double byte_hit_rate() const {
    return hits + miss_neurons ? static_cast<double>(hits) / (hits + miss_neurons) : 0.0;
  }
};

struct CacheStats {
  RegionStats hot, cold;
  double bytes_per_neuron = 0;
  int64_t accesses() const { return hot.accesses + cold.accesses; }
  int64_t hits() const { return hot.hits + cold.hits; }
  double hit_rate() const { return accesses() ? static_cast<double>(hits()) / accesses() : 0.0; }
  double byte_hit_rate() const {
    const int64_t in = hits(), out = hot.miss_neurons + cold.miss_neurons;
    return in + out ? static_cast<double>(in) / (in + out) : 0.0;
  }
  double hit_bytes() const { return hits() * bytes_per_neuron; }
  double miss_bytes() const { return (hot.miss_neurons + cold.miss_neurons) * bytes_per_neuron; }
};

class NeuronCache {
 public:
  explicit NeuronCache(const NeuronCacheConfig& c);
  NeuronCache(int64_t layers, int64_t experts, int64_t neurons, int64_t cluster_size,
              int64_t hot_neurons_per_matrix, double hot_bytes, double cold_bytes,
              double bytes_per_neuron);

  // Looks up the sorted, distinct neuron ids of one (layer, expert): they become the most recent,
  // missed hot clusters and missed cold neurons are loaded, and least-recent units are evicted.
  AccessResult access(int64_t layer, int64_t expert, std::span<const uint32_t> active_sorted) {
    return access(layer, expert, active_sorted, active_sorted);
  }
  // Same for the predictor's ids, knowing which turned out active (both sorted; active ids not
  // predicted are not computed and ignored). A cold miss that is inactive costs only its Gate read
  // and is not admitted (the cache holds whole neurons); hot clusters are read whole either way.
  AccessResult access(int64_t layer, int64_t expert, std::span<const uint32_t> predicted_sorted,
                      std::span<const uint32_t> active_sorted);
  // Loads ids as access() does without counting statistics.
  void preload(int64_t layer, int64_t expert, std::span<const uint32_t> ids_sorted);
  // The planner's start state: the hot region filled with the hottest clusters and the cold region
  // with the hottest cold neurons, rank by rank across all (layer, expert), hottest most recent.
  void warm();

  bool resident(int64_t layer, int64_t expert, uint32_t id) const;
  bool is_hot(int64_t layer, int64_t expert, uint32_t id) const {
    return id < hot_limit_[matrix(layer, expert)];
  }
  int64_t hot_limit(int64_t layer, int64_t expert) const {
    return hot_limit_[matrix(layer, expert)];
  }
  int64_t cluster_size() const { return cluster_size_; }
  int64_t clusters(int64_t layer, int64_t expert) const;  // hot clusters of that matrix
  int64_t cluster_neurons(int64_t layer, int64_t expert, uint32_t c) const;
  double bytes_per_neuron() const { return bytes_per_neuron_; }
  double hot_capacity_bytes() const { return hot_.capacity() * bytes_per_neuron_; }
  double cold_capacity_bytes() const { return cold_.capacity() * bytes_per_neuron_; }
  double hot_used_bytes() const { return hot_.used() * bytes_per_neuron_; }
  double cold_used_bytes() const { return cold_.used() * bytes_per_neuron_; }
  const LruRegion& hot_region() const { return hot_; }
  const LruRegion& cold_region() const { return cold_; }
  const CacheStats& stats() const { return stats_; }
  void reset_stats();
  // Heap bytes of the cache's state (not of the cached weights).
  size_t state_bytes() const;

 private:
  size_t matrix(int64_t layer, int64_t expert) const;
  template <bool kCount>
  AccessResult run(int64_t layer, int64_t expert, std::span<const uint32_t> predicted,
                   std::span<const uint32_t> active);
  void access_cold(std::span<const uint32_t> ids, std::span<const uint32_t> active, bool all_active,
                   uint32_t base, AccessResult& r);

  int64_t layers_, experts_, neurons_, cluster_size_;
  double bytes_per_neuron_;
  std::vector<uint32_t> hot_limit_;     // per matrix
  std::vector<uint32_t> cluster_base_;  // per matrix, + end: first global cluster
  std::vector<uint32_t> cold_base_;     // per matrix, + end: first global cold slot
  LruRegion hot_, cold_;
  CacheStats stats_;
  std::vector<uint32_t> missed_clusters_, missed_active_, missed_gate_only_;
};

}  // namespace socsim
