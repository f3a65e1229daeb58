// PowerInfer-2 neuron cache and bundle I/O plan: LRU order and eviction, cluster granularity of the
// hot region, byte-exact capacities, hot/cold classification, hit rates against capacity, agreement
// with a plain reference LRU, state size for Mixtral-47B, and the flash requests of the bundle
// layout (INT4 split Gate/Up-Down page reads, FP16 whole reads, sequential cluster reads).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <list>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "sim/model/model_spec.hpp"
#include "sim/sparse/bundle_reads.hpp"
#include "sim/sparse/neuron_cache.hpp"

using namespace socsim;

namespace {

using Ids = std::vector<uint32_t>;

// One layer, one expert, no hot neurons: a plain neuron-granular LRU of `capacity` neurons.
NeuronCache cold_only(int64_t capacity, int64_t neurons = 16, double bpn = 100) {
  return NeuronCache(1, 1, neurons, 4, 0, 0, capacity * bpn, bpn);
}

// Resident cold neurons of matrix (0, 0) from most to least recent, as ids.
Ids cold_order(const NeuronCache& c) {
  Ids out;
  for (uint32_t u : c.cold_region().order()) out.push_back(u + c.hot_limit(0, 0));
  return out;
}

}  // namespace

TEST(NeuronCache, HitAfterAccessAndLeastRecentIsEvicted) {
  NeuronCache c = cold_only(3);
  for (uint32_t id : {0u, 1u, 2u}) EXPECT_EQ(c.access(0, 0, Ids{id}).cold_misses, 1);
  EXPECT_EQ(cold_order(c), (Ids{2, 1, 0}));
  AccessResult r = c.access(0, 0, Ids{0});
  EXPECT_EQ(r.cold_hits, 1);
  EXPECT_EQ(r.cold_misses, 0);
  EXPECT_EQ(cold_order(c), (Ids{0, 2, 1}));
  r = c.access(0, 0, Ids{3});  // evicts 1, the least recent
  EXPECT_EQ(r.cold_misses, 1);
  EXPECT_EQ(cold_order(c), (Ids{3, 0, 2}));
  EXPECT_FALSE(c.resident(0, 0, 1));
  EXPECT_TRUE(c.resident(0, 0, 0));
  EXPECT_EQ(c.stats().cold.evictions, 1);
}

TEST(NeuronCache, AnAccessIsAtomicItsOwnHitsAreNotEvictedByItsMisses) {
  NeuronCache c = cold_only(2);
  c.access(0, 0, Ids{5});
  c.access(0, 0, Ids{6});
  EXPECT_EQ(cold_order(c), (Ids{6, 5}));
  // 1 misses before 5 is reached in id order, and 5 is the least recent: still 5 hits and 6 goes.
  const AccessResult r = c.access(0, 0, Ids{1, 5});
  EXPECT_EQ(r.cold_hits, 1);
  EXPECT_EQ(r.cold_misses, 1);
  EXPECT_EQ(cold_order(c), (Ids{5, 1}));
  EXPECT_FALSE(c.resident(0, 0, 6));
  // An access larger than the region keeps its last ids (in id order the most recent).
  c.access(0, 0, Ids{7, 8, 9});
  EXPECT_EQ(cold_order(c), (Ids{9, 8}));
  EXPECT_EQ(c.stats().cold.evictions, 1 + 3);  // 6; then 5, 1 and 7
}

TEST(NeuronCache, OneAccessLoadsAndKeepsTheWholeCluster) {
  // Hot limit 10, clusters of 4: {0..3}, {4..7}, {8, 9}; room for 8 neurons (two full clusters).
  NeuronCache c(1, 1, 32, 4, 10, 8 * 100.0, 0, 100);
  ASSERT_EQ(c.clusters(0, 0), 3);
  EXPECT_EQ(c.cluster_neurons(0, 0, 2), 2);
  AccessResult r = c.access(0, 0, Ids{1});
  EXPECT_EQ(r.hot_misses, 1);
  EXPECT_EQ(r.missed_cluster_neurons, 4);
  ASSERT_EQ(r.missed_clusters.size(), 1u);
  EXPECT_EQ(r.missed_clusters[0], 0u);
  for (uint32_t id = 0; id < 4; ++id) EXPECT_TRUE(c.resident(0, 0, id)) << id;
  EXPECT_FALSE(c.resident(0, 0, 4));
  r = c.access(0, 0, Ids{0, 2, 3});  // other neurons of the cluster hit
  EXPECT_EQ(r.hot_hits, 3);
  EXPECT_EQ(r.hot_misses, 0);
  // Two neurons of cluster 1 in one access: one cluster load, both neurons count as misses.
  r = c.access(0, 0, Ids{5, 6});
  EXPECT_EQ(r.hot_misses, 2);
  EXPECT_EQ(r.missed_clusters.size(), 1u);
  EXPECT_EQ(c.hot_used_bytes(), 800.0);
  // Cluster 2 (2 neurons) evicts cluster 0, the least recent; cluster 1 is kept whole.
  c.access(0, 0, Ids{9});
  EXPECT_FALSE(c.resident(0, 0, 0));
  EXPECT_FALSE(c.resident(0, 0, 3));
  for (uint32_t id : {4u, 5u, 6u, 7u, 8u, 9u}) EXPECT_TRUE(c.resident(0, 0, id)) << id;
  EXPECT_EQ(c.hot_used_bytes(), 600.0);
  EXPECT_EQ(c.stats().hot.evictions, 1);
  EXPECT_EQ(c.stats().hot.evicted_neurons, 4);
}

TEST(NeuronCache, CapacitiesAreRespectedExactlyInBytes) {
  // 6912 B per neuron (Mixtral INT4); hot: 3 clusters of 8 = 165888 B fit in 170000 B, not 4;
  // cold: 7 neurons = 48384 B fit in 50000 B.
  const double bpn = 6912;
  NeuronCache c(2, 2, 256, 8, 64, 170000, 50000, bpn);
  EXPECT_EQ(c.hot_capacity_bytes(), 24 * bpn);
  EXPECT_EQ(c.cold_capacity_bytes(), 7 * bpn);
  std::mt19937 rng(7);
  for (int t = 0; t < 200; ++t) {
    Ids ids;
    for (uint32_t i = 0; i < 256; ++i)
      if (rng() % 5 == 0) ids.push_back(i);
    c.access(t % 2, (t / 2) % 2, ids);
    ASSERT_LE(c.hot_used_bytes(), 170000.0);
    ASSERT_LE(c.cold_used_bytes(), 50000.0);
  }
  EXPECT_EQ(c.hot_used_bytes(), 24 * bpn);  // full after so many misses
  EXPECT_EQ(c.cold_used_bytes(), 7 * bpn);
  // Exactly one cluster's bytes: room for one cluster, not zero.
  NeuronCache tight(1, 1, 64, 8, 16, 8 * bpn, 0, bpn);
  tight.access(0, 0, Ids{0, 8});
  EXPECT_EQ(tight.hot_used_bytes(), 8 * bpn);
  EXPECT_TRUE(tight.resident(0, 0, 8));
  EXPECT_FALSE(tight.resident(0, 0, 0));
}

TEST(NeuronCache, EvictionsAreCountedAndDiscarded) {
  NeuronCache c = cold_only(2);
  c.access(0, 0, Ids{0, 1, 2, 3});  // 0 and 1 evicted by 2 and 3
  EXPECT_EQ(c.stats().cold.loads, 4);
  EXPECT_EQ(c.stats().cold.evictions, 2);
  EXPECT_EQ(c.stats().cold.evicted_neurons, 2);
  EXPECT_EQ(c.cold_used_bytes(), 200.0);
  // Discarded, not kept anywhere: accessing 0 again is a miss and a flash read.
  AccessResult r = c.access(0, 0, Ids{0});
  EXPECT_EQ(r.cold_misses, 1);
  ASSERT_EQ(r.missed_active.size(), 1u);
  EXPECT_EQ(r.missed_active[0], 0u);
  EXPECT_EQ(c.stats().cold.evictions, 3);
}

TEST(NeuronCache, HitRateIsFullWhenTheWorkingSetFits) {
  // Working set: 2 layers x 2 experts x 100 neurons, hot limit 20 in clusters of 5.
  const double bpn = 10;
  NeuronCache c(2, 2, 100, 5, 20, 4 * 20 * bpn, 4 * 80 * bpn, bpn);
  c.warm();
  EXPECT_EQ(c.hot_used_bytes(), c.hot_capacity_bytes());
  EXPECT_EQ(c.cold_used_bytes(), c.cold_capacity_bytes());
  std::mt19937 rng(3);
  for (int t = 0; t < 50; ++t)
    for (int l = 0; l < 2; ++l)
      for (int e = 0; e < 2; ++e) {
        Ids ids;
        for (uint32_t i = 0; i < 100; ++i)
          if (rng() % 3 == 0) ids.push_back(i);
        c.access(l, e, ids);
      }
  EXPECT_GT(c.stats().accesses(), 0);
  EXPECT_EQ(c.stats().hit_rate(), 1.0);
  EXPECT_EQ(c.stats().byte_hit_rate(), 1.0);
  EXPECT_EQ(c.stats().hot.evictions + c.stats().cold.evictions, 0);
}

TEST(NeuronCache, HitRateFallsAsCapacityShrinks) {
  // Power-law-ish accesses by hotness rank over 4 matrices of 512 neurons.
  std::vector<std::vector<Ids>> trace(300, std::vector<Ids>(4));
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (auto& token : trace)
    for (auto& ids : token)
      for (uint32_t i = 0; i < 512; ++i)
        if (u(rng) < std::min(0.9, 2.0 / std::sqrt(i + 1.0))) ids.push_back(i);
  // Below about 2 x 116 cold neurons a round of the 4 matrices no longer fits and LRU thrashes.
  double previous_total = 1.1, previous_hot = 1.1, previous_cold = 1.1;
  for (int64_t per_matrix : {512, 384, 256, 192, 128}) {
    const double bpn = 100;
    NeuronCache c(1, 4, 512, 8, 64, 4 * 64 * bpn * per_matrix / 512, 4 * per_matrix * bpn / 2, bpn);
    for (const auto& token : trace)
      for (int e = 0; e < 4; ++e) c.access(0, e, token[e]);
    SCOPED_TRACE(per_matrix);
    EXPECT_LT(c.stats().hit_rate(), previous_total);
    EXPECT_LE(c.stats().hot.hit_rate(), previous_hot);
    EXPECT_LT(c.stats().cold.hit_rate(), previous_cold);
    previous_total = c.stats().hit_rate();
    previous_hot = c.stats().hot.hit_rate();
    previous_cold = c.stats().cold.hit_rate();
  }
  EXPECT_GT(previous_total, 0.0);
  EXPECT_LT(previous_total, 0.9);
}

TEST(NeuronCache, HotAndColdAreClassifiedByEachMatrixHotLimit) {
  NeuronCacheConfig cfg;
  cfg.layers = 2;
  cfg.experts = 1;
  cfg.neurons = 64;
  cfg.cluster_size = 4;
  cfg.hot_limit = {8, 20};
  cfg.bytes_per_neuron = 1;
  cfg.hot_bytes = 1000;
  cfg.cold_bytes = 1000;
  NeuronCache c(cfg);
  EXPECT_TRUE(c.is_hot(0, 0, 7));
  EXPECT_FALSE(c.is_hot(0, 0, 8));
  EXPECT_TRUE(c.is_hot(1, 0, 19));
  EXPECT_FALSE(c.is_hot(1, 0, 20));
  const Ids ids{0, 7, 8, 19, 20, 63};
  AccessResult r0 = c.access(0, 0, ids);
  EXPECT_EQ(r0.hot_misses, 2);   // 0, 7 (clusters 0 and 1)
  EXPECT_EQ(r0.cold_misses, 4);  // 8, 19, 20, 63
  EXPECT_EQ(r0.missed_clusters.size(), 2u);
  AccessResult r1 = c.access(1, 0, ids);
  EXPECT_EQ(r1.hot_misses, 4);   // 0, 7, 8, 19 (clusters 0, 1, 2, 4)
  EXPECT_EQ(r1.cold_misses, 2);  // 20, 63
  EXPECT_EQ(r1.missed_clusters.size(), 4u);
  EXPECT_EQ(c.stats().hot.accesses, 6);
  EXPECT_EQ(c.stats().cold.accesses, 6);
  // A cold neuron of layer 0 is not confused with the same id in layer 1.
  EXPECT_TRUE(c.resident(0, 0, 63));
  NeuronCache fresh(cfg);
  fresh.access(0, 0, Ids{63});
  EXPECT_FALSE(fresh.resident(1, 0, 63));
}

TEST(NeuronCache, PredictedButInactiveColdMissesAreNotAdmitted) {
  NeuronCache c = cold_only(8);
  const Ids predicted{1, 2, 3, 5}, active{2, 5, 9};  // 9 not predicted: not computed
  AccessResult r = c.access(0, 0, predicted, active);
  EXPECT_EQ(r.cold_misses, 4);
  EXPECT_EQ(Ids(r.missed_active.begin(), r.missed_active.end()), (Ids{2, 5}));
  EXPECT_EQ(Ids(r.missed_gate_only.begin(), r.missed_gate_only.end()), (Ids{1, 3}));
  EXPECT_TRUE(c.resident(0, 0, 2));
  EXPECT_FALSE(c.resident(0, 0, 1));
  EXPECT_FALSE(c.resident(0, 0, 9));
  EXPECT_EQ(c.stats().cold.bypassed, 2);
  r = c.access(0, 0, predicted, Ids{});  // cached neurons hit even when inactive now
  EXPECT_EQ(r.cold_hits, 2);
  EXPECT_EQ(r.missed_gate_only.size(), 2u);
}

TEST(NeuronCache, WarmLoadsTheHottestClustersAndNeuronsHottestMostRecent) {
  // 2 matrices, hot limit 8 in clusters of 4; hot room for 3 clusters, cold room for 3 neurons.
  NeuronCache c(1, 2, 32, 4, 8, 12, 3, 1);
  c.warm();
  for (int e = 0; e < 2; ++e) {
    EXPECT_TRUE(c.resident(0, e, 0));  // rank 0 cluster of both experts
    EXPECT_TRUE(c.resident(0, e, 8));  // hottest cold neuron of both experts
  }
  EXPECT_TRUE(c.resident(0, 0, 4));  // rank 1 cluster of expert 0 fills the last slot
  EXPECT_FALSE(c.resident(0, 1, 4));
  EXPECT_TRUE(c.resident(0, 0, 9));
  EXPECT_FALSE(c.resident(0, 1, 9));
  EXPECT_EQ(c.stats().accesses(), 0);
  // The hottest are most recent: a new cluster evicts the rank-1 cluster, not a rank-0 one.
  c.access(0, 1, Ids{4});
  EXPECT_FALSE(c.resident(0, 0, 4));
  EXPECT_TRUE(c.resident(0, 0, 0));
  EXPECT_TRUE(c.resident(0, 1, 0));
}

TEST(NeuronCache, ClusterLargerThanTheHotRegionIsReadButNotAdmitted) {
  NeuronCache c(1, 1, 64, 8, 16, 7, 0, 1);
  AccessResult r = c.access(0, 0, Ids{0, 1});
  EXPECT_EQ(r.hot_misses, 2);
  EXPECT_EQ(r.missed_cluster_neurons, 8);
  EXPECT_FALSE(c.resident(0, 0, 0));
  EXPECT_EQ(c.stats().hot.bypassed, 1);
  EXPECT_EQ(c.hot_used_bytes(), 0.0);
}

TEST(NeuronCache, AgreesWithAReferenceLru) {
  // Reference: std::list LRUs keyed by (matrix, cluster) and (matrix, neuron).
  const int64_t layers = 3, experts = 2, neurons = 96, cs = 6, hot = 30;
  const int64_t hot_cap = 40, cold_cap = 50;  // neurons: 6 clusters of 6, 50 neurons
  NeuronCache c(layers, experts, neurons, cs, hot, hot_cap, cold_cap, 1);
  using Key = std::pair<int64_t, uint32_t>;
  // An access is atomic: its units move to the front in id order, then the back is evicted.
  struct Ref {
    std::list<Key> lru;
    std::map<Key, std::list<Key>::iterator> where;
    int64_t used = 0, cap = 0, size = 1;  // every unit holds `size` neurons
    bool touch(Key k) {
      if (auto it = where.find(k); it != where.end()) {
        lru.splice(lru.begin(), lru, it->second);
        return true;
      }
      lru.push_front(k);
      where[k] = lru.begin();
      used += size;
      return false;
    }
    void fit() {
      while (used > cap) {
        used -= size;
        where.erase(lru.back());
        lru.pop_back();
      }
    }
  } ref_hot{{}, {}, 0, hot_cap, cs}, ref_cold{{}, {}, 0, cold_cap, 1};
  std::mt19937 rng(5);
  int64_t ref_hits = 0;
  for (int step = 0; step < 3000; ++step) {
    const int64_t l = rng() % layers, e = rng() % experts, m = l * experts + e;
    Ids ids;
    for (uint32_t i = 0; i < neurons; ++i)
      if (rng() % (i < hot ? 3 : 8) == 0) ids.push_back(i);
    AccessResult r = c.access(l, e, ids);
    int64_t last_cluster = -1;
    bool last_hit = false;
    for (uint32_t id : ids) {
      if (id < hot) {
        const int64_t cl = id / cs;
        if (cl != last_cluster) last_hit = ref_hot.touch({m, static_cast<uint32_t>(cl)});
        last_cluster = cl;
        ref_hits += last_hit;
      } else {
        ref_hits += ref_cold.touch({m, id});
      }
    }
    ref_hot.fit();
    ref_cold.fit();
    ASSERT_EQ(c.stats().hits(), ref_hits) << "step " << step;
    ASSERT_EQ(r.hits() + r.misses(), static_cast<int64_t>(ids.size()));
  }
  for (int64_t l = 0; l < layers; ++l)
    for (int64_t e = 0; e < experts; ++e)
      for (uint32_t id = 0; id < neurons; ++id) {
        const int64_t m = l * experts + e;
        const bool want =
            id < hot ? ref_hot.where.count({m, id / cs}) > 0 : ref_cold.where.count({m, id}) > 0;
        ASSERT_EQ(c.resident(l, e, id), want) << l << " " << e << " " << id;
      }
}

TEST(NeuronCache, StateForMixtral47BStaysUnder64MB) {
  // 32 layers x 8 experts x 14336 neurons. Largest state: no hot neurons and a cold region that
  // can hold every neuron (the recency queue is sized by what can be resident).
  const int64_t neurons = 32 * 8 * 14336;
  NeuronCache all(32, 8, 14336, 32, 0, 0, neurons * 6912.0, 6912);
  EXPECT_LT(all.state_bytes(), 64u << 20);
  EXPECT_GE(all.state_bytes(), static_cast<size_t>(neurons) * 4 * 3);  // pos + 2x queue counted
  // Fill it completely: no growth after construction.
  const size_t before = all.state_bytes();
  all.warm();
  EXPECT_EQ(all.cold_used_bytes(), neurons * 6912.0);
  EXPECT_EQ(all.state_bytes(), before);
  NeuronCache budget(32, 8, 14336, 32, 113, 200e6, 200e6, 6912);  // 7 GB budget's 400 MB
  EXPECT_LT(budget.state_bytes(), 32u << 20);
}

TEST(BundleReads, NeuronBytesFromDimensionsAndStorageType) {
  EXPECT_EQ(neuron_bytes(4096, true, DType::kInt4), 3 * 4096 * 4.5 / 8);  // 6912 B
  EXPECT_EQ(neuron_bytes(4096, true, DType::kInt8), 3 * 4096 * 8.5 / 8);
  EXPECT_EQ(neuron_bytes(4096, true, DType::kFp16), 24576.0);
  EXPECT_EQ(neuron_bytes(4096, false, DType::kFp16), 16384.0);
  ModelSpec m = load_model(
      (std::filesystem::path(SOCSIM_DATA_DIR) / "models/turbosparse-mixtral-47b.yaml").string());
  EXPECT_EQ(neuron_bytes(m), 6912.0);
  const BundleLayout l = bundle_layout(m, 16);
  EXPECT_EQ(l.neurons, 14336);
  EXPECT_EQ(l.bundle_bytes, 8192.0);
  EXPECT_EQ(l.matrix_bytes(), 14336.0 * 8192);
}

TEST(BundleReads, Int4BundleIsTwoPageReadsGateFirst) {
  const BundleLayout l = bundle_layout(4096, 14336, true, DType::kInt4, 16);
  EXPECT_EQ(l.neuron_bytes, 6912.0);
  EXPECT_EQ(l.bundle_bytes, 8192.0);  // padded to 8 KiB
  ASSERT_TRUE(l.split);
  EXPECT_EQ(l.gate_read, 4096.0);
  EXPECT_EQ(l.up_down_read, 4096.0);
  // 10 predicted cold misses, 6 of them active: 10 Gate reads, 6 Up/Down reads, all 4 KiB.
  const BundlePlan p = plan_bundle_reads(l, 6, 4, 0, 0);
  EXPECT_EQ(p.gate.count, 10);
  EXPECT_EQ(p.gate.request, 4096.0);
  EXPECT_EQ(p.gate.bytes, 10 * 4096.0);
  EXPECT_EQ(p.up_down.count, 6);
  EXPECT_EQ(p.up_down.request, 4096.0);
  EXPECT_EQ(p.up_down.bytes, 6 * 4096.0);
  EXPECT_EQ(p.whole.count, 0);
  EXPECT_EQ(p.cluster.count, 0);
  EXPECT_EQ(p.bytes(), 16 * 4096.0);
  EXPECT_EQ(p.span, 14336.0 * 8192);
}

TEST(BundleReads, Fp16BundleIsOneWholeRead) {
  const BundleLayout l = bundle_layout(4096, 14336, true, DType::kFp16, 16);
  EXPECT_EQ(l.bundle_bytes, 3 * 4096 * 2.0);  // 24 KiB, no padding needed
  EXPECT_FALSE(l.split);
  // Predicted-but-inactive neurons cost the whole bundle: there is no separate Gate read.
  const BundlePlan p = plan_bundle_reads(l, 6, 4, 0, 0);
  EXPECT_EQ(p.whole.count, 10);
  EXPECT_EQ(p.whole.request, 24576.0);
  EXPECT_EQ(p.gate.count + p.up_down.count, 0);
  EXPECT_EQ(p.bytes(), 10 * 24576.0);
  // Forced split: Gate row 8 KiB, Up/Down 16 KiB.
  const BundleLayout s = bundle_layout(4096, 14336, true, DType::kFp16, 16, GateSplit::kSplit);
  ASSERT_TRUE(s.split);
  EXPECT_EQ(s.gate_read, 8192.0);
  EXPECT_EQ(s.up_down_read, 16384.0);
}

TEST(BundleReads, PredictedButInactiveNeuronsCostOnlyTheGateRead) {
  const BundleLayout l = bundle_layout(4096, 1024, true, DType::kInt4, 8);
  const Ids predicted{3, 10, 11, 40, 99}, active{10, 40, 500};
  const BundlePlan p = plan_uncached_reads(l, predicted, active);
  EXPECT_EQ(p.gate.count, 5);
  EXPECT_EQ(p.up_down.count, 2);
  EXPECT_EQ(p.span, 1024.0 * 8192);
  // Through the cache: a cold-only cache gives the same reads on first access, none afterwards
  // for the admitted active neurons.
  NeuronCache c(1, 1, 1024, 8, 0, 0, 100 * l.neuron_bytes, l.neuron_bytes);
  BundlePlan q = plan_bundle_reads(l, c.access(0, 0, predicted, active));
  EXPECT_EQ(q.gate.count, 5);
  EXPECT_EQ(q.up_down.count, 2);
  q = plan_bundle_reads(l, c.access(0, 0, predicted, active));
  EXPECT_EQ(q.gate.count, 3);
  EXPECT_EQ(q.up_down.count, 0);
}

TEST(BundleReads, HotClusterMissesAreSequentialClusterReads) {
  const BundleLayout l = bundle_layout(4096, 14336, true, DType::kInt4, 16);
  // Hot limit 40 with clusters of 16: clusters of 16, 16 and 8 neurons.
  NeuronCache c(1, 1, 14336, 16, 40, 1e9, 0, l.neuron_bytes);
  const BundlePlan p = plan_bundle_reads(l, c.access(0, 0, Ids{0, 5, 17, 39}));
  EXPECT_EQ(p.cluster.count, 3);
  EXPECT_EQ(p.cluster.request, 16 * 8192.0);
  EXPECT_EQ(p.cluster.bytes, (16 + 16 + 8) * 8192.0);
  EXPECT_EQ(p.random_bytes(), 0.0);
  EXPECT_EQ(plan_bundle_reads(l, c.access(0, 0, Ids{0, 5, 17, 39})).requests(), 0);
}

TEST(BundleReads, PlansOfOneLayerAddUp) {
  const BundleLayout l = bundle_layout(4096, 14336, true, DType::kInt4, 16);
  BundlePlan sum = plan_bundle_reads(l, 3, 1, 1, 16);
  sum += plan_bundle_reads(l, 2, 0, 0, 0);
  EXPECT_EQ(sum.gate.count, 6);
  EXPECT_EQ(sum.up_down.count, 5);
  EXPECT_EQ(sum.cluster.count, 1);
  EXPECT_EQ(sum.gate.request, 4096.0);
  EXPECT_EQ(sum.span, 2 * 14336.0 * 8192);
}
