// Weights paged in from flash through mmap page faults, as llama.cpp loads a model by default:
// when the weights do not fit the memory budget beside the KV cache, the page cache keeps
// `dram.page_cache_keep` of the share that fits and every pass over the weights faults the rest
// back in (1: the fitting share stays; 0: pure LRU, where a cyclic scan larger than the cache
// evicts each page just before it is needed again). The faults are synchronous on
// the compute threads: each stage first reads its share from flash in `request`-sized random
// reads, with one outstanding request per faulting thread, then computes.
#pragma once

#include <span>
#include <vector>

#include "sim/graph/task_graph.hpp"
#include "sim/lower/lower_context.hpp"

namespace socsim {

struct MmapPaging {
  double cached_fraction = 1;    // of the weights, held by the page cache (the share that fits)
  double resident_fraction = 1;  // of the weights, still cached when a pass needs them again
  double request = 128 * 1024;   // bytes read per fault (read-around window)
  double span = 0;               // the model file's size (random reads across it)
};

// The share of `weight_bytes` that fits in the run's budget after `other_bytes` (KV, activations).
MmapPaging plan_mmap_paging(const LowerContext& ctx, double weight_bytes, double other_bytes,
                            double request);

// The read that pages in the non-resident share of the weights of `parts` before a stage with tags
// `stage` runs on its placement; none when everything is resident.
std::vector<OpId> page_in(const MmapPaging& plan, const Op& stage, std::span<const OpPart> parts,
                          std::span<const OpId> preds, TaskGraph& g);

}  // namespace socsim
