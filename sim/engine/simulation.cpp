// Simulation core; see simulation.hpp.
#include "sim/engine/simulation.hpp"

#include "sim/engine/link_model.hpp"
#include "sim/graph/prefault.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <stdexcept>

namespace socsim {

Simulation::Simulation(const TaskGraph& g, const std::vector<OpCost>& costs,
                       const PlatformSpec& platform, const Policy& policy, Backend& backend)
    : g_(g), costs_(costs), platform_(platform), policy_(policy), backend_(backend) {}

bool Simulation::fits(const Op& op) const {
  if (op.lane != 0 && lane_busy_[op.lane]) return false;
  const Placement& p = op.place;
  for (uint8_t i = 0; i < p.count; ++i)
    if (free_[p.unit[i]] < p.cores[i]) return false;
  return true;
}

void Simulation::take(const Op& op, int sign) {
  const Placement& p = op.place;
  for (uint8_t i = 0; i < p.count; ++i) free_[p.unit[i]] -= sign * p.cores[i];
  if (op.lane != 0) lane_busy_[op.lane] = sign > 0;
}

static bool no_work(const Op& op, const OpCost& c) {
  return c.delay_s == 0 && c.flash_service_s == 0 &&
         (op.place.count == 0 || (c.compute_s == 0 && c.dram_bytes == 0));
}

void Simulation::dispatch(double now) {
  if (in_dispatch_) return;  // re-entered through an instant completion; the outer loop continues
  in_dispatch_ = true;
  for (;;) {
    runnable_.clear();
    for (OpId id : ready_)
      if (fits(g_.op(id))) runnable_.push_back(id);
    const size_t pick =
        runnable_.empty() ? kNoDispatch : policy_.select(runnable_, SimView{g_, op_seconds_});
    if (pick == kNoDispatch) {
      // Nothing to dispatch now: complete the instant ops, whose successors may be runnable.
      if (instant_.empty()) break;
      std::vector<OpId> done;
      done.swap(instant_);
      for (OpId i : done) finish(i, now);
      continue;
    }
    const OpId id = runnable_[pick];
    policy_.dispatched(id);
    for (size_t i = 0; i < ready_.size(); ++i)
      if (ready_[i] == id) {
        ready_[i] = ready_.back();
        ready_.pop_back();
        break;
      }
    const Op& op = g_.op(id);
    const OpCost& c = costs_[id];
    take(op, +1);
    order_.push_back(id);
    timing_[id].dispatch = now;
    timing_[id].start = now + c.delay_s;
    if (no_work(op, c)) {
      instant_.push_back(id);
      continue;
    }
    LaunchDesc d;
    d.op = id;
    d.place = op.place;
    d.delay_s = c.delay_s;
    d.compute_s = c.compute_s;
    d.dram_bytes = c.dram_bytes;
    d.flash_service_s = c.flash_service_s;
    backend_.launch(d);
  }
  in_dispatch_ = false;
}

void Simulation::finish(OpId id, double now) {
  timing_[id].end = now;
  take(g_.op(id), -1);
  ++completed_;
  for (OpId s : g_.succs(id))
    if (--pending_[s] == 0) ready_.push_back(s);
}

void Simulation::on_complete(OpId id, double now) {
  finish(id, now);
  dispatch(now);
}

std::vector<OpTiming> Simulation::run() {
  const size_t n = g_.size();
  pending_.assign(n, 0);
  timing_.clear();
  reserve_prefaulted(timing_, n);
  timing_.resize(n);
  order_.clear();
  order_.reserve(n);
  // Each op's duration alone, as the analytic backend computes it, for schedulers.
  const LinkLayout links(platform_);
  std::vector<double> scratch;
  op_seconds_.resize(n);
  for (OpId i = 0; i < n; ++i)
    op_seconds_[i] = lone_op_seconds(links, g_.op(i).place, costs_[i], scratch);
  policy_.begin(g_, platform_);
  free_.clear();
  for (const PlatformUnit& u : platform_.units) free_.push_back(u.cores);
  lane_busy_.assign(kLanes, 0);
  for (OpId i = 0; i < n; ++i) {
    pending_[i] = static_cast<uint32_t>(g_.preds(i).size());
    const Placement& p = g_.op(i).place;
    for (uint8_t k = 0; k < p.count; ++k) {
      bool repeated = false;
      for (uint8_t j = 0; j < k; ++j) repeated |= p.unit[j] == p.unit[k];
      if (repeated || p.unit[k] >= platform_.units.size() ||
          p.cores[k] > platform_.units[p.unit[k]].cores || p.cores[k] == 0)
        throw std::logic_error(fmt::format(
            "op '{}' is placed on a unit or core count the platform does not have", g_.name(i)));
    }
    if (pending_[i] == 0) ready_.push_back(i);
  }
  dispatch(0.0);
  backend_.run(*this);
  if (completed_ != n)
    throw std::logic_error(fmt::format(
        "simulation stalled: {} of {} ops completed (dependency cycle?)", completed_, n));
  return std::move(timing_);
}

}  // namespace socsim
