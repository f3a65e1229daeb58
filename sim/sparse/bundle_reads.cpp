#include "sim/sparse/bundle_reads.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace socsim {
namespace {

double round_up(double bytes, double page) {
  return std::ceil(bytes / page) * page;
}

void add(ReadGroup& g, int64_t count, double request, double bytes) {
  g.count += count;
  g.request = std::max(g.request, request);
  g.bytes += bytes;
}

}  // namespace

BundleLayout bundle_layout(int64_t hidden, int64_t neurons, bool gated, DType weight,
                           int64_t cluster_size, GateSplit split, double page) {
  if (hidden <= 0 || neurons <= 0 || cluster_size <= 0 || !(page > 0))
    throw std::invalid_argument(
        "bundle_layout: hidden, neurons, cluster_size and page must be > 0");
  BundleLayout l;
  l.neurons = neurons;
  l.cluster_size = cluster_size;
  l.neuron_bytes = neuron_bytes(hidden, gated, weight);
  l.bundle_bytes = round_up(l.neuron_bytes, page);
  const double gate = round_up(ffn_row_bytes(hidden, weight), page);
  const bool quantised = weight == DType::kInt4 || weight == DType::kInt8;
  const bool want = split == GateSplit::kSplit || (split == GateSplit::kAuto && quantised);
  l.split = want && gate < l.bundle_bytes;
  if (l.split) {
    l.gate_read = gate;
    l.up_down_read = l.bundle_bytes - gate;
  }
  return l;
}

BundleLayout bundle_layout(const ModelSpec& m, int64_t cluster_size, GateSplit split) {
  return bundle_layout(m.hidden, m.ffn, m.gated, m.weight_dtype, cluster_size, split);
}

BundlePlan& BundlePlan::operator+=(const BundlePlan& o) {
  add(gate, o.gate.count, o.gate.request, o.gate.bytes);
  add(up_down, o.up_down.count, o.up_down.request, o.up_down.bytes);
  add(whole, o.whole.count, o.whole.request, o.whole.bytes);
  add(cluster, o.cluster.count, o.cluster.request, o.cluster.bytes);
  span += o.span;
  return *this;
}

BundlePlan plan_bundle_reads(const BundleLayout& l, int64_t missed_active, int64_t missed_gate_only,
                             int64_t missed_clusters, int64_t missed_cluster_neurons) {
  BundlePlan p;
  const int64_t cold = missed_active + missed_gate_only;
  if (l.split) {
    add(p.gate, cold, l.gate_read, cold * l.gate_read);
    add(p.up_down, missed_active, l.up_down_read, missed_active * l.up_down_read);
  } else {
    add(p.whole, cold, l.bundle_bytes, cold * l.bundle_bytes);
  }
  if (missed_clusters > 0)
    add(p.cluster, missed_clusters, l.cluster_size * l.bundle_bytes,
        missed_cluster_neurons * l.bundle_bytes);
  p.span = l.matrix_bytes();
  return p;
}

BundlePlan plan_bundle_reads(const BundleLayout& l, const AccessResult& r) {
  return plan_bundle_reads(l, static_cast<int64_t>(r.missed_active.size()),
                           static_cast<int64_t>(r.missed_gate_only.size()),
                           static_cast<int64_t>(r.missed_clusters.size()),
                           r.missed_cluster_neurons);
}

BundlePlan plan_uncached_reads(const BundleLayout& l, std::span<const uint32_t> predicted_sorted,
                               std::span<const uint32_t> active_sorted) {
  int64_t active = 0;
  auto a = active_sorted.begin();
  for (uint32_t id : predicted_sorted) {
    while (a != active_sorted.end() && *a < id) ++a;
    active += a != active_sorted.end() && *a == id;
  }
  return plan_bundle_reads(l, active, static_cast<int64_t>(predicted_sorted.size()) - active, 0, 0);
}

}  // namespace socsim
