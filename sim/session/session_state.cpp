// Session request state and KV cache; see session_state.hpp.
#include "sim/session/session_state.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/config/units.hpp"
#include "sim/driver/simulate.hpp"

namespace socsim {

SessionState::SessionState(const SessionSpec& spec, const ModelSpec& model)
    : spec_(spec), model_(model), q_(spec.requests.size()) {
  for (size_t i = 0; i < q_.size(); ++i) {
    const SessionRequest& r = spec.requests[i].second;
    q_[i].arrival = r.arrival;
    q_[i].prompt = r.prompt, q_[i].gen = r.gen, q_[i].priority = r.priority;
  }
}

void SessionState::release_arrivals(double t) {
  for (size_t i = 0; i < q_.size(); ++i) {
    LiveRequest& q = q_[i];
    if (q.state != RequestState::kFuture) continue;
    const SessionRequest& r = spec_.requests[i].second;
    if (std::isnan(q.arrival) && !r.after.empty()) {
      const LiveRequest& dep = q_[static_cast<size_t>(spec_.find(r.after))];
      if (dep.state == RequestState::kDone) q.arrival = dep.end + r.think;
    }
    if (!std::isnan(q.arrival) && q.arrival <= t) q.state = RequestState::kWaiting;
  }
}

double SessionState::next_arrival(double t) const {
  double next = std::numeric_limits<double>::infinity();
  for (const LiveRequest& q : q_)
    if (q.state == RequestState::kFuture && !std::isnan(q.arrival) && q.arrival > t)
      next = std::min(next, q.arrival);
  return next;
}

int SessionState::in_service() const {
  for (size_t i = 0; i < q_.size(); ++i)
    if (q_[i].state == RequestState::kPrefill || q_[i].state == RequestState::kDecode)
      return static_cast<int>(i);
  return -1;
}

bool SessionState::roots_at_system(int i) const {
  const std::string& p = spec_.requests[static_cast<size_t>(i)].second.prefix;
  if (p == "system") return true;
  return !p.empty() && roots_at_system(spec_.find(p));
}

int SessionState::admit_next(double t) {
  int best = -1;
  for (size_t i = 0; i < q_.size(); ++i) {
    const LiveRequest& q = q_[i];
    if (q.state != RequestState::kWaiting || q.arrival > t) continue;
    const std::string& p = spec_.requests[i].second.prefix;
    if (!p.empty() && p != "system" &&
        q_[static_cast<size_t>(spec_.find(p))].state != RequestState::kDone)
      continue;
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const LiveRequest& b = q_[static_cast<size_t>(best)];
    if (q.priority > b.priority || (q.priority == b.priority && q.arrival < b.arrival))
      best = static_cast<int>(i);
  }
  if (best < 0) return -1;
  LiveRequest& q = q_[static_cast<size_t>(best)];
  const std::string& p = spec_.requests[static_cast<size_t>(best)].second.prefix;
  const int k = p.empty() || p == "system" ? -1 : spec_.find(p);
  const int64_t prefix = p.empty() ? 0 : k < 0 ? spec_.system_prompt : q_[k].context;
  auto cached =
      std::find_if(cache_.begin(), cache_.end(), [&](const Cached& c) { return c.request == k; });
  if (k >= 0 && spec_.reuse_prefix && cached != cache_.end()) {
    q.reused = prefix, q.shared = cached->shared;
    cache_.erase(cached);  // the conversation's KV now grows as this request's
  } else if (roots_at_system(best) && spec_.reuse_prefix && system_cached_ > 0) {
    q.reused = q.shared = system_cached_;
  }
  q.recomputed = prefix - q.reused;
  q.context = q.reused;
  q.to_prefill = q.recomputed + q.prompt;
  q.state = RequestState::kPrefill;
  q.start = t;
  q.order = admitted_++;
  return best;
}

std::vector<int> SessionState::in_state(RequestState s) const {
  std::vector<int> v;
  for (size_t i = 0; i < q_.size(); ++i)
    if (q_[i].state == s) v.push_back(static_cast<int>(i));
  std::sort(v.begin(), v.end(), [&](int a, int b) { return q_[a].order < q_[b].order; });
  return v;
}

void SessionState::prefilled(int i, int64_t tokens, int64_t end_layer, double end) {
  LiveRequest& q = q_[static_cast<size_t>(i)];
  if (end_layer >= 0 && end_layer < model_.layers) {
    q.prefill_layer = end_layer;  // layered: the prompt is through these layers, not yet done
    return;
  }
  q.prefill_layer = 0;
  q.to_prefill -= tokens;
  q.context += tokens;
  if (q.to_prefill > 0) return;
  // The first prefill of a system-rooted chain leaves the system prompt's KV for the others.
  if (spec_.reuse_prefix && roots_at_system(i) && system_cached_ == 0 && q.shared == 0) {
    system_cached_ = spec_.system_prompt;
    q.shared = system_cached_;
  }
  q.first_token = end;
  q.decoded = 1;
  q.state = RequestState::kDecode;
  if (q.decoded >= q.gen) finish(i, end);
}

void SessionState::decoded(int i, int64_t tokens, double end) {
  LiveRequest& q = q_[static_cast<size_t>(i)];
  q.decoded += tokens;
  q.context += tokens;
  if (q.decoded >= q.gen) finish(i, end);
}

void SessionState::finish(int i, double t) {
  LiveRequest& q = q_[static_cast<size_t>(i)];
  q.state = RequestState::kDone;
  q.end = t;
  ++done_;
  if (spec_.reuse_prefix) cache_.push_back({i, q.context - q.shared, q.shared, t});
}

double SessionState::kv_tokens() const {
  double n = static_cast<double>(system_cached_);
  for (const LiveRequest& q : q_)
    if (q.state == RequestState::kPrefill || q.state == RequestState::kDecode)
      n += static_cast<double>(q.context - q.shared);
  for (const Cached& c : cache_) n += static_cast<double>(c.own);
  return n;
}

void SessionState::fit_kv(double budget, bool offloading) {
  const double per_token = model_.kv_bytes_per_token();
  while (kv_tokens() * per_token > budget) {
    if (!cache_.empty()) {
      auto lru = std::min_element(
          cache_.begin(), cache_.end(),
          [](const Cached& a, const Cached& b) { return a.last_use < b.last_use; });
      cache_.erase(lru);
      continue;
    }
    bool used = false;
    for (const LiveRequest& q : q_)
      used = used || ((q.state == RequestState::kPrefill || q.state == RequestState::kDecode) &&
                      q.shared > 0);
    if (system_cached_ > 0 && !used) {
      system_cached_ = 0;
      continue;
    }
    if (offloading) return;
    throw InfeasibleError(fmt::format(
        "session '{}': the KV cache of the running requests ({}) does not fit the {} the run's "
        "other memory leaves (raise --memory, or shorten the requests)",
        spec_.name, format_human(kv_tokens() * per_token, Dim::kBytes),
        format_human(budget, Dim::kBytes)));
  }
}

int SessionState::running() const {
  int n = 0;
  for (const LiveRequest& q : q_)
    n += q.state == RequestState::kPrefill || q.state == RequestState::kDecode;
  return n;
}

int SessionState::waiting(double t) const {
  int n = 0;
  for (const LiveRequest& q : q_) n += q.state == RequestState::kWaiting && q.arrival <= t;
  return n;
}

}  // namespace socsim
