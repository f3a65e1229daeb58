// An ActivationSource that generates the next tokens of another source on a worker thread while
// the caller consumes the current one (a bounded ring of decoded tokens), so that sparse decode
// lowering overlaps activation sampling with the neuron-cache replay and op creation on a second
// core. The sequence is exactly the wrapped source's: results do not depend on timing. An error
// of the wrapped source (e.g. a trace that ends early) is rethrown at the token it occurred on.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/sparse/activation_model.hpp"

namespace socsim {

class PrefetchedActivations final : public ActivationSource {
 public:
  // Optional work moved to the worker as well: for each routed (layer, expert) of a token, a
  // function of its active ids alone (it runs concurrently with the consumer, so it must only read
  // state that is fixed while tokens are consumed). It writes a count and a list of ids.
  using Derive = std::function<uint32_t(
      int64_t layer, int32_t expert, std::span<const uint32_t> active, std::vector<uint32_t>& ids)>;

  // Takes ownership of `inner`; `depth` tokens are generated ahead at most.
  explicit PrefetchedActivations(std::unique_ptr<ActivationSource> inner, int depth = 4,
                                 Derive derive = {});
  ~PrefetchedActivations() override;

  const ActivationShape& shape() const override { return shape_; }
  void next_token() override;
  int64_t token() const override { return token_; }
  std::span<const int32_t> experts(int64_t layer) const override;
  std::span<const uint32_t> active(int64_t layer, int64_t expert) const override;
  // Reads the wrapped source's fixed probabilities (safe while the worker runs).
  double firing_probability(int64_t layer, int64_t expert, int64_t neuron) const override {
    return inner_->firing_probability(layer, expert, neuron);
  }
  // What `derive` returned for a routed (layer, expert) of the current token (0 and no ids when
  // there is no derive function or the expert is not routed).
  uint32_t derived_count(int64_t layer, int64_t expert) const;
  std::span<const uint32_t> derived_ids(int64_t layer, int64_t expert) const;

 private:
  // One decoded token: routed experts per layer, and active ids per routed (layer, expert).
  struct Slot {
    std::vector<int32_t> experts;         // layers x experts_per_token
    std::vector<uint32_t> ids;            // all active ids, by layer then routed expert
    std::vector<uint32_t> begin;          // per (layer, routed expert k): start in ids, + end
    std::vector<uint32_t> derived_count;  // per (layer, routed expert k)
    std::vector<uint32_t> derived_ids, derived_begin;  // as ids and begin
    std::exception_ptr error;                          // set instead when the wrapped source failed
  };
  void work();
  void fill(Slot& s);
  int64_t routed_index(int64_t layer, int64_t expert) const;  // -1: not routed

  std::unique_ptr<ActivationSource> inner_;
  Derive derive_;
  std::vector<uint32_t> scratch_;  // the worker's derive output
  ActivationShape shape_;
  int64_t k_ = 1;
  std::vector<Slot> ring_;
  int64_t produced_ = 0, consumed_ = 0;  // tokens written to / taken from the ring
  int64_t token_ = -1;
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread worker_;
};

}  // namespace socsim
