// The state of a session's requests while it is simulated (session_sim.cpp): arrivals, admission
// by priority, prefill and decode progress, and the KV cache: each running request's own tokens,
// the shared system prompt, and finished requests' contexts kept for later requests that extend
// them (evicted least recently used first when the budget is exceeded, then recomputed by the
// request that needs them).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/model_spec.hpp"
#include "sim/session/session_spec.hpp"

namespace socsim {

enum class RequestState : uint8_t { kFuture, kWaiting, kPrefill, kDecode, kDone };

struct LiveRequest {
  RequestState state = RequestState::kFuture;
  double arrival = kUnset;  // known once timed, or once its `after` request is done
  double start = 0, first_token = 0, end = 0;
  int64_t prompt = 0, gen = 0, priority = 0;
  int64_t reused = 0, recomputed = 0;
  int64_t to_prefill = 0;     // rows of prefill left (recomputed prefix and prompt)
  int64_t prefill_layer = 0;  // layered prefill: the next layer the prompt runs through
  int64_t context = 0;        // tokens in its KV cache (attention's past)
  int64_t shared = 0;         // of which in the shared system-prompt entry
  int64_t decoded = 0;        // tokens generated (the first from prefill)
  double energy_j = 0;
  int order = 0;  // admission order
};

class SessionState {
 public:
  SessionState(const SessionSpec& spec, const ModelSpec& model);

  bool all_done() const { return done_ == static_cast<int>(q_.size()); }
  // Requests whose arrival time has come (timed, or think time after their `after` reply).
  void release_arrivals(double t);
  // Earliest arrival after t of a request not yet arrived; +inf when none is known.
  double next_arrival(double t) const;
  // The request being computed (fcfs has at most one), or -1.
  int in_service() const;
  // Admits the waiting request to serve next (priority, then arrival, then file order; a request
  // whose prefix request is unfinished waits for it), resolving its prefix against the KV cache.
  int admit_next(double t);
  // Requests admitted and prefilling / decoding, in admission order.
  std::vector<int> prefilling() const { return in_state(RequestState::kPrefill); }
  std::vector<int> decoding() const { return in_state(RequestState::kDecode); }
  const LiveRequest& live(int i) const { return q_[static_cast<size_t>(i)]; }
  LiveRequest& live_mut(int i) { return q_[static_cast<size_t>(i)]; }
  // A step ending at `end` computed `tokens` prefill rows of request i (through its layers up to
  // end_layer; -1 or the last layer completes them).
  void prefilled(int i, int64_t tokens, int64_t end_layer, double end);
  // A step ending at `end` generated `tokens` more tokens of request i.
  void decoded(int i, int64_t tokens, double end);
  // Evicts cached contexts (least recently used first; the system prompt last, once nothing
  // uses it) until the KV cache fits `budget` bytes. When the running requests' own KV alone does
  // not fit: InfeasibleError, unless `offloading` (the policy's plan already holds their KV and
  // gives up weight cache for it, so only the cached contexts have no room).
  void fit_kv(double budget, bool offloading);
  double kv_tokens() const;
  int running() const;
  int waiting(double t) const;

 private:
  bool roots_at_system(int i) const;
  std::vector<int> in_state(RequestState s) const;
  void finish(int i, double t);

  const SessionSpec& spec_;
  const ModelSpec& model_;
  std::vector<LiveRequest> q_;
  struct Cached {
    int request;
    int64_t own;
    int64_t shared;
    double last_use;
  };
  std::vector<Cached> cache_;  // finished contexts
  int64_t system_cached_ = 0;  // tokens of the system prompt held in the KV cache
  int done_ = 0;
  int admitted_ = 0;
};

}  // namespace socsim
