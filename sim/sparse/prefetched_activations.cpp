// Activation prefetching on a worker thread; see prefetched_activations.hpp.
#include "sim/sparse/prefetched_activations.hpp"

#include <algorithm>

namespace socsim {

PrefetchedActivations::PrefetchedActivations(std::unique_ptr<ActivationSource> inner, int depth,
                                             Derive derive)
    : inner_(std::move(inner)),
      derive_(std::move(derive)),
      shape_(inner_->shape()),
      k_(std::max<int64_t>(shape_.experts_per_token, 1)),
      ring_(static_cast<size_t>(std::max(depth, 1))) {
  worker_ = std::thread([this] { work(); });
}

PrefetchedActivations::~PrefetchedActivations() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void PrefetchedActivations::fill(Slot& s) {
  s.experts.clear(), s.ids.clear(), s.begin.clear(), s.error = nullptr;
  s.derived_count.clear(), s.derived_ids.clear(), s.derived_begin.clear();
  try {
    inner_->next_token();
    for (int64_t l = 0; l < shape_.layers; ++l)
      for (int32_t e : inner_->experts(l)) {
        s.experts.push_back(e);
        s.begin.push_back(static_cast<uint32_t>(s.ids.size()));
        const std::span<const uint32_t> a = inner_->active(l, e);
        s.ids.insert(s.ids.end(), a.begin(), a.end());
        if (derive_) {
          s.derived_count.push_back(derive_(l, e, a, scratch_));
          s.derived_begin.push_back(static_cast<uint32_t>(s.derived_ids.size()));
          s.derived_ids.insert(s.derived_ids.end(), scratch_.begin(), scratch_.end());
        }
      }
    s.begin.push_back(static_cast<uint32_t>(s.ids.size()));
    if (derive_) s.derived_begin.push_back(static_cast<uint32_t>(s.derived_ids.size()));
  } catch (...) {
    s.error = std::current_exception();
  }
}

void PrefetchedActivations::work() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // The slot of token `produced_` is free once the consumer has moved past the token before
      // it (the current token's slot stays readable until the next next_token()).
      cv_.wait(lock, [this] {
        return stop_ ||
               produced_ - std::max<int64_t>(consumed_ - 1, 0) < static_cast<int64_t>(ring_.size());
      });
      if (stop_) return;
    }
    Slot& s = ring_[static_cast<size_t>(produced_ % static_cast<int64_t>(ring_.size()))];
    fill(s);
    const bool failed = s.error != nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++produced_;
    }
    cv_.notify_all();
    if (failed) return;  // the wrapped source cannot go on
  }
}

void PrefetchedActivations::next_token() {
  std::unique_lock<std::mutex> lock(mu_);
  ++consumed_;
  cv_.notify_all();
  cv_.wait(lock, [this] { return produced_ >= consumed_; });
  const Slot& s = ring_[static_cast<size_t>((consumed_ - 1) % static_cast<int64_t>(ring_.size()))];
  if (s.error) std::rethrow_exception(s.error);
  token_ = consumed_ - 1;
}

std::span<const int32_t> PrefetchedActivations::experts(int64_t layer) const {
  const Slot& s = ring_[static_cast<size_t>(token_ % static_cast<int64_t>(ring_.size()))];
  return {s.experts.data() + layer * k_, static_cast<size_t>(k_)};
}

int64_t PrefetchedActivations::routed_index(int64_t layer, int64_t expert) const {
  const Slot& s = ring_[static_cast<size_t>(token_ % static_cast<int64_t>(ring_.size()))];
  for (int64_t i = 0; i < k_; ++i) {
    const int64_t at = layer * k_ + i;
    if (s.experts[static_cast<size_t>(at)] == expert) return at;
  }
  return -1;
}

std::span<const uint32_t> PrefetchedActivations::active(int64_t layer, int64_t expert) const {
  const Slot& s = ring_[static_cast<size_t>(token_ % static_cast<int64_t>(ring_.size()))];
  const int64_t at = routed_index(layer, expert);
  if (at < 0) return {};
  return {s.ids.data() + s.begin[at], s.begin[at + 1] - s.begin[at]};
}

uint32_t PrefetchedActivations::derived_count(int64_t layer, int64_t expert) const {
  const Slot& s = ring_[static_cast<size_t>(token_ % static_cast<int64_t>(ring_.size()))];
  const int64_t at = routed_index(layer, expert);
  return at < 0 || s.derived_count.empty() ? 0 : s.derived_count[static_cast<size_t>(at)];
}

std::span<const uint32_t> PrefetchedActivations::derived_ids(int64_t layer, int64_t expert) const {
  const Slot& s = ring_[static_cast<size_t>(token_ % static_cast<int64_t>(ring_.size()))];
  const int64_t at = routed_index(layer, expert);
  if (at < 0 || s.derived_count.empty()) return {};
  return {s.derived_ids.data() + s.derived_begin[at],
          s.derived_begin[at + 1] - s.derived_begin[at]};
}

}  // namespace socsim
