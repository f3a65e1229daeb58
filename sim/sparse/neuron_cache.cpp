#include "sim/sparse/neuron_cache.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace socsim {

LruRegion::LruRegion(uint32_t units, std::vector<uint32_t> sizes, int64_t capacity_neurons,
                     uint32_t max_batch)
    : pos_(units, kAbsent), sizes_(std::move(sizes)), capacity_(capacity_neurons) {
  if (!sizes_.empty() && sizes_.size() != units)
    throw std::invalid_argument("LruRegion: sizes must be empty or one per unit");
  // Between accesses at most `resident` entries are live: a compaction then leaves room for at
  // least `resident` (and up to 2^20 more) pushes plus one access, so each entry is moved O(1)
  // times, and small regions compact rarely.
  const int64_t resident = std::min<int64_t>(units, std::max<int64_t>(capacity_neurons, 0));
  const int64_t slack = std::min<int64_t>(units, int64_t{1} << 20);
  queue_.resize(static_cast<size_t>(2 * resident + slack + max_batch + 64));
}

size_t LruRegion::touch_all(std::span<const uint32_t> ids, uint32_t base, uint32_t* missed) {
  const size_t count = ids.size();
  if (tail_ + count > queue_.size()) compact();
  uint32_t* const pos = pos_.data();
  uint32_t* const queue = queue_.data();
  const uint32_t* const id = ids.data();
  size_t tail = tail_, misses = 0;
  // Branch-free: every id is written to `missed`, and the count advances only on a miss.
  for (size_t i = 0; i < count; ++i) {
    if (i + kAhead < count) __builtin_prefetch(&pos[base + id[i + kAhead]], 1);
    const uint32_t u = base + id[i];
    missed[misses] = id[i];
    misses += pos[u] == kAbsent;
    pos[u] = static_cast<uint32_t>(tail);
    queue[tail++] = u;
  }
  tail_ = tail;
  used_ += static_cast<int64_t>(misses);
  return misses;
}

void LruRegion::evict_to_fit(int64_t& evicted_units, int64_t& evicted_neurons) {
  uint32_t* const pos = pos_.data();
  const uint32_t* const queue = queue_.data();
  size_t head = head_;
  const size_t tail = tail_;
  int64_t used = used_, units = 0, neurons = 0;
  while (used > capacity_) {
    while (pos[queue[head]] != head) ++head;  // skip stale entries
    const uint32_t v = queue[head++];
    if (head + kAhead < tail) __builtin_prefetch(&pos[queue[head + kAhead]], 1);
    pos[v] = kAbsent;
    const uint32_t s = size_of(v);
    used -= s;
    ++units;
    neurons += s;
  }
  head_ = head;
  used_ = used;
  evicted_units += units;
  evicted_neurons += neurons;
}

void LruRegion::compact() {
  uint32_t* const pos = pos_.data();
  uint32_t* const queue = queue_.data();
  size_t w = 0;
  const size_t tail = tail_;
  for (size_t r = head_; r < tail; ++r) {
    if (r + kAhead < tail) __builtin_prefetch(&pos[queue[r + kAhead]], 1);
    const uint32_t v = queue[r];
    if (pos[v] != r) continue;
    queue[w] = v;
    pos[v] = static_cast<uint32_t>(w++);
  }
  head_ = 0;
  tail_ = w;
}

std::vector<uint32_t> LruRegion::order() const {
  std::vector<uint32_t> out;
  for (size_t r = tail_; r-- > head_;)
    if (pos_[queue_[r]] == r) out.push_back(queue_[r]);
  return out;
}

NeuronCache::NeuronCache(int64_t layers, int64_t experts, int64_t neurons, int64_t cluster_size,
                         int64_t hot_neurons_per_matrix, double hot_bytes, double cold_bytes,
                         double bytes_per_neuron)
    : NeuronCache(NeuronCacheConfig{layers,
                                    experts,
                                    neurons,
                                    cluster_size,
                                    {hot_neurons_per_matrix},
                                    hot_bytes,
                                    cold_bytes,
                                    bytes_per_neuron}) {}

NeuronCache::NeuronCache(const NeuronCacheConfig& c)
    : layers_(c.layers),
      experts_(c.experts),
      neurons_(c.neurons),
      cluster_size_(c.cluster_size),
      bytes_per_neuron_(c.bytes_per_neuron) {
  if (c.layers <= 0 || c.experts <= 0 || c.neurons <= 0 || c.cluster_size <= 0)
    throw std::invalid_argument("NeuronCache: layers, experts, neurons, cluster_size must be > 0");
  if (!(c.bytes_per_neuron > 0) || c.hot_bytes < 0 || c.cold_bytes < 0)
    throw std::invalid_argument("NeuronCache: bytes per neuron > 0 and capacities >= 0 required");
  const size_t matrices = static_cast<size_t>(c.layers * c.experts);
  if (c.hot_limit.size() != 1 && c.hot_limit.size() != matrices)
    throw std::invalid_argument(fmt::format("NeuronCache: hot_limit needs 1 or {} values, got {}",
                                            matrices, c.hot_limit.size()));
  if (static_cast<double>(matrices) * c.neurons > (1u << 30))  // queue indices stay in 32 bits
    throw std::invalid_argument("NeuronCache: more than 2^30 neurons");

  hot_limit_.resize(matrices);
  cluster_base_.resize(matrices + 1);
  cold_base_.resize(matrices + 1);
  std::vector<uint32_t> cluster_sizes;
  uint32_t clusters = 0, cold = 0;
  for (size_t m = 0; m < matrices; ++m) {
    const int64_t h = c.hot_limit.size() == 1 ? c.hot_limit[0] : c.hot_limit[m];
    if (h < 0 || h > c.neurons)
      throw std::invalid_argument(
          fmt::format("NeuronCache: hot limit {} outside [0, {}]", h, c.neurons));
    hot_limit_[m] = static_cast<uint32_t>(h);
    cluster_base_[m] = clusters;
    cold_base_[m] = cold;
    for (int64_t first = 0; first < h; first += c.cluster_size)
      cluster_sizes.push_back(static_cast<uint32_t>(std::min(c.cluster_size, h - first)));
    clusters = static_cast<uint32_t>(cluster_sizes.size());
    cold += static_cast<uint32_t>(c.neurons - h);
  }
  cluster_base_[matrices] = clusters;
  cold_base_[matrices] = cold;
  const auto capacity = [&](double bytes) {
    return static_cast<int64_t>(std::floor(bytes / c.bytes_per_neuron));
  };
  uint32_t max_clusters = 0;
  for (size_t m = 0; m < matrices; ++m)
    max_clusters = std::max(max_clusters, cluster_base_[m + 1] - cluster_base_[m]);
  hot_ = LruRegion(clusters, std::move(cluster_sizes), capacity(c.hot_bytes), max_clusters);
  cold_ = LruRegion(cold, {}, capacity(c.cold_bytes), static_cast<uint32_t>(c.neurons));
  stats_.bytes_per_neuron = c.bytes_per_neuron;
  // Result buffers sized once so access() never allocates.
  missed_clusters_.reserve(max_clusters);
  missed_active_.resize(static_cast<size_t>(c.neurons));
  missed_gate_only_.resize(static_cast<size_t>(c.neurons));
}

size_t NeuronCache::matrix(int64_t layer, int64_t expert) const {
  if (layer < 0 || layer >= layers_ || expert < 0 || expert >= experts_)
    throw std::out_of_range(fmt::format("NeuronCache: (layer {}, expert {}) outside {} x {}", layer,
                                        expert, layers_, experts_));
  return static_cast<size_t>(layer * experts_ + expert);
}

int64_t NeuronCache::clusters(int64_t layer, int64_t expert) const {
  const size_t m = matrix(layer, expert);
  return cluster_base_[m + 1] - cluster_base_[m];
}

int64_t NeuronCache::cluster_neurons(int64_t layer, int64_t expert, uint32_t c) const {
  const size_t m = matrix(layer, expert);
  if (c >= cluster_base_[m + 1] - cluster_base_[m])
    throw std::out_of_range(fmt::format("NeuronCache: no hot cluster {}", c));
  return hot_.size_of(cluster_base_[m] + c);
}

bool NeuronCache::resident(int64_t layer, int64_t expert, uint32_t id) const {
  const size_t m = matrix(layer, expert);
  if (id >= neurons_) throw std::out_of_range(fmt::format("NeuronCache: no neuron {}", id));
  const uint32_t h = hot_limit_[m];
  if (id < h) return hot_.resident(cluster_base_[m] + id / static_cast<uint32_t>(cluster_size_));
  return cold_.resident(cold_base_[m] + (id - h));
}

void NeuronCache::reset_stats() {
  stats_ = CacheStats{};
  stats_.bytes_per_neuron = bytes_per_neuron_;
}

size_t NeuronCache::state_bytes() const {
  return hot_.state_bytes() + cold_.state_bytes() +
         (hot_limit_.capacity() + cluster_base_.capacity() + cold_base_.capacity() +
          missed_clusters_.capacity() + missed_active_.capacity() + missed_gate_only_.capacity()) *
             sizeof(uint32_t);
}

void NeuronCache::access_cold(std::span<const uint32_t> ids, std::span<const uint32_t> active,
                              bool all_active, uint32_t base, AccessResult& r) {
  uint32_t* const out_active = missed_active_.data();
  uint32_t* const out_gate = missed_gate_only_.data();
  size_t n_active = 0, n_gate = 0;
  if (all_active && cold_.capacity() >= 1) {
    n_active = cold_.touch_all(ids, base, out_active);
  } else {
    // `a` walks the active ids to classify misses.
    const uint32_t* a = active.data();
    const uint32_t* const a_end = a + active.size();
    for (const uint32_t id : ids) {
      if (cold_.renew(base + id)) continue;
      while (a != a_end && *a < id) ++a;
      if (all_active || (a != a_end && *a == id)) {
        out_active[n_active++] = id;
        cold_.insert(base + id);
      } else {
        out_gate[n_gate++] = id;
      }
    }
  }
  r.cold_misses = static_cast<int64_t>(n_active + n_gate);
  r.cold_hits = static_cast<int64_t>(ids.size()) - r.cold_misses;
  r.missed_active = {out_active, n_active};
  r.missed_gate_only = {out_gate, n_gate};
}

template <bool kCount>
AccessResult NeuronCache::run(int64_t layer, int64_t expert, std::span<const uint32_t> predicted,
                              std::span<const uint32_t> active) {
  const size_t m = matrix(layer, expert);
  if (!predicted.empty() && predicted.back() >= neurons_)
    throw std::out_of_range(fmt::format("NeuronCache: neuron id {} >= {} (ids must be sorted)",
                                        predicted.back(), neurons_));
  const uint32_t hot_limit = hot_limit_[m];
  const uint32_t cs = static_cast<uint32_t>(cluster_size_);
  const uint32_t cluster_base = cluster_base_[m];
  missed_clusters_.clear();
  AccessResult r;
  int64_t hot_loads = 0;

  // Hot ids: one LRU touch per cluster; the ids of a cluster are consecutive in sorted order.
  const uint32_t* p = predicted.data();
  const uint32_t* const end = p + predicted.size();
  while (p != end && *p < hot_limit) {
    const uint32_t c = *p / cs;
    const uint32_t next_cluster_first = std::min(hot_limit, (c + 1) * cs);
    const uint32_t* q = p + 1;
    while (q != end && *q < next_cluster_first) ++q;
    const int64_t n = q - p;
    const uint32_t u = cluster_base + c;
    if (hot_.renew(u)) {
      r.hot_hits += n;
    } else {
      r.hot_misses += n;
      r.missed_cluster_neurons += hot_.size_of(u);
      missed_clusters_.push_back(c);
      hot_loads += hot_.insert(u);
    }
    p = q;
  }
  r.missed_clusters = missed_clusters_;
  int64_t hot_evicted = 0, hot_evicted_neurons = 0;
  hot_.evict_to_fit(hot_evicted, hot_evicted_neurons);

  // Cold ids: neuron-granular; slot = cold_base_[m] + (id - hot limit).
  const bool all_active = predicted.data() == active.data() && predicted.size() == active.size();
  const int64_t cold_before = cold_.used();
  access_cold({p, end}, active, all_active, cold_base_[m] - hot_limit, r);
  const int64_t cold_loads = cold_.used() - cold_before;
  int64_t cold_evicted = 0, cold_evicted_neurons = 0;
  cold_.evict_to_fit(cold_evicted, cold_evicted_neurons);

  if constexpr (kCount) {
    RegionStats& h = stats_.hot;
    h.accesses += r.hot_hits + r.hot_misses;
    h.hits += r.hot_hits;
    h.misses += r.hot_misses;
    h.miss_neurons += r.missed_cluster_neurons;
    h.loads += hot_loads;
    h.bypassed += static_cast<int64_t>(r.missed_clusters.size()) - hot_loads;
    h.evictions += hot_evicted;
    h.evicted_neurons += hot_evicted_neurons;
    RegionStats& c = stats_.cold;
    c.accesses += r.cold_hits + r.cold_misses;
    c.hits += r.cold_hits;
    c.misses += r.cold_misses;
    c.miss_neurons += r.cold_misses;
    c.loads += cold_loads;
    c.bypassed += r.cold_misses - cold_loads;
    c.evictions += cold_evicted;
    c.evicted_neurons += cold_evicted_neurons;
  }
  return r;
}

AccessResult NeuronCache::access(int64_t layer, int64_t expert,
                                 std::span<const uint32_t> predicted_sorted,
                                 std::span<const uint32_t> active_sorted) {
  return run<true>(layer, expert, predicted_sorted, active_sorted);
}

void NeuronCache::preload(int64_t layer, int64_t expert, std::span<const uint32_t> ids_sorted) {
  run<false>(layer, expert, ids_sorted, ids_sorted);
}

void NeuronCache::warm() {
  const size_t matrices = hot_limit_.size();
  // Hot: cluster rank r of every matrix before rank r + 1, as long as the region has room.
  std::vector<uint32_t> picked;
  int64_t room = hot_.capacity() - hot_.used();
  for (uint32_t r = 0; room > 0; ++r) {
    bool any = false;
    for (size_t m = 0; m < matrices && room > 0; ++m) {
      const uint32_t u = cluster_base_[m] + r;
      if (u >= cluster_base_[m + 1]) continue;
      any = true;
      if (hot_.resident(u) || hot_.size_of(u) > room) continue;
      picked.push_back(u);
      room -= hot_.size_of(u);
    }
    if (!any) break;
  }
  for (auto it = picked.rbegin(); it != picked.rend(); ++it) hot_.insert(*it);
  // Cold: the hottest cold neurons (ids from the hot limit up), rank by rank.
  picked.clear();
  room = cold_.capacity() - cold_.used();
  for (uint32_t r = 0; room > 0; ++r) {
    bool any = false;
    for (size_t m = 0; m < matrices && room > 0; ++m) {
      const uint32_t u = cold_base_[m] + r;
      if (u >= cold_base_[m + 1]) continue;
      any = true;
      if (cold_.resident(u)) continue;
      picked.push_back(u);
      --room;
    }
    if (!any) break;
  }
  for (auto it = picked.rbegin(); it != picked.rend(); ++it) cold_.insert(*it);
}

}  // namespace socsim
