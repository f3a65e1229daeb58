// PowerInfer-2's flash layout and I/O plan (arXiv 2406.06282 v3, section 4.4): the Gate row, Up row
// and Down column of neuron i are stored together as one bundle, padded to a flash page. INT4
// bundles (8 KiB) are read as two page reads, Gate first and Up/Down only if the Gate output is
// non-zero; FP16 bundles (24 KiB) are read whole. A missed hot cluster is one sequential read of
// its consecutive bundles. The plan counts requests and bytes by kind for one (layer, expert) and
// gives the file span its random reads fall in, so a lowering can emit one flash op per kind.
// Bundle bytes follow storage_bits: INT4 (Q4_0, 4.5 bits) gives 6.75 KB where the paper quotes
// 7.5 KB (5 bits, e.g. Q4_1); both pad to the same 8 KiB and two 4 KiB reads.
#pragma once

#include <cstdint>
#include <span>

#include "sim/model/dtype.hpp"
#include "sim/model/model_spec.hpp"
#include "sim/sparse/neuron_cache.hpp"

namespace socsim {

// Bytes of one matrix row (or column) of `hidden` weights, quantisation scales included.
inline double ffn_row_bytes(int64_t hidden, DType weight) {
  return static_cast<double>(hidden) * storage_bits(weight) / 8.0;
}
// Bytes of one FFN neuron: Gate row (if gated) + Up row + Down column.
inline double neuron_bytes(int64_t hidden, bool gated, DType weight) {
  return (gated ? 3.0 : 2.0) * ffn_row_bytes(hidden, weight);
}
inline double neuron_bytes(const ModelSpec& m) {
  return neuron_bytes(m.hidden, m.gated, m.weight_dtype);
}

// Whether a bundle is read in two parts. kAuto follows the paper: quantised bundles (INT4, and by
// assumption INT8) split, FP16/BF16/FP32 bundles are read whole; a one-page bundle never splits.
enum class GateSplit : uint8_t { kAuto, kSplit, kWhole };

inline constexpr double kFlashPage = 4096;

struct BundleLayout {
  int64_t neurons = 0;       // per (layer, expert)
  int64_t cluster_size = 1;  // hot neurons per sequential cluster read
  double neuron_bytes = 0;   // payload
  double bundle_bytes = 0;   // payload padded to whole pages: the stride in the file
  bool split = false;
  double gate_read = 0;     // first request of a split bundle: the Gate row's pages
  double up_down_read = 0;  // second request: the rest of the bundle
  double matrix_bytes() const { return static_cast<double>(neurons) * bundle_bytes; }
};

// `gated` false: the Up row plays the Gate's part (its output decides whether Down is needed).
BundleLayout bundle_layout(int64_t hidden, int64_t neurons, bool gated, DType weight,
                           int64_t cluster_size, GateSplit split = GateSplit::kAuto,
                           double page = kFlashPage);
BundleLayout bundle_layout(const ModelSpec& m, int64_t cluster_size,
                           GateSplit split = GateSplit::kAuto);

// Requests of one kind: all the same size except a hot matrix's last, shorter cluster.
struct ReadGroup {
  int64_t count = 0;
  double request = 0;  // bytes per request (the full size)
  double bytes = 0;    // total
};

struct BundlePlan {
  ReadGroup gate;     // random: first part of split bundles, every missed predicted cold neuron
  ReadGroup up_down;  // random: rest of split bundles, missed cold neurons that are active
  ReadGroup whole;    // random: whole bundles (unsplit layout), every missed predicted cold neuron
  ReadGroup cluster;  // sequential: missed hot clusters, cluster_size bundles each
  double span = 0;    // bytes of the matrices in the file that the random reads fall in

  double bytes() const { return gate.bytes + up_down.bytes + whole.bytes + cluster.bytes; }
  int64_t requests() const { return gate.count + up_down.count + whole.count + cluster.count; }
  double random_bytes() const { return gate.bytes + up_down.bytes + whole.bytes; }
  // Adds another matrix's plan (matrices of one layer are adjacent in the file: spans add).
  BundlePlan& operator+=(const BundlePlan& o);
};

// Plan from miss counts: cold misses that are active, cold misses predicted but inactive, missed
// hot clusters and the neurons they hold.
BundlePlan plan_bundle_reads(const BundleLayout& l, int64_t missed_active, int64_t missed_gate_only,
                             int64_t missed_clusters, int64_t missed_cluster_neurons);
// Plan for one neuron-cache access.
BundlePlan plan_bundle_reads(const BundleLayout& l, const AccessResult& r);
// Plan without a cache: every predicted neuron is a cold miss (both lists sorted; active ids not
// predicted are not computed).
BundlePlan plan_uncached_reads(const BundleLayout& l, std::span<const uint32_t> predicted_sorted,
                               std::span<const uint32_t> active_sorted);

}  // namespace socsim
