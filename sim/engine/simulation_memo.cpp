// Reuse of identical simulations; see simulation_memo.hpp.
#include "sim/engine/simulation_memo.hpp"

#include <cstring>
#include <type_traits>

namespace socsim {
namespace {

// Appends values' bytes; each field is written alone, so struct padding never enters a key.
class KeyWriter {
 public:
  explicit KeyWriter(std::string& out) : out_(out) {}
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T> && !std::is_class_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put_text(std::string_view s) {
    put(s.size());
    out_.append(s);
  }

 private:
  std::string& out_;
};

// Per op: 4 tag/kind bytes, 7 of placement, 1 lane, 6 x 4 of tags and counts, 2 x 8, 5 x 8 of
// fixed time and flash inputs, 4 of name; then its cost's 5 x 8 + 1 and its predecessors.
constexpr size_t kBytesPerOp = 160;

}  // namespace

void write_simulation_key(const TaskGraph& g, const std::vector<OpCost>& costs,
                          const PlatformSpec& platform, std::string_view schedule,
                          BackendKind backend, std::string& key) {
  key.clear();
  key.reserve(g.size() * kBytesPerOp + 256);
  KeyWriter w(key);
  w.put(static_cast<int>(backend));
  w.put_text(schedule);
  w.put(platform.units.size());
  for (const PlatformUnit& u : platform.units) {
    w.put_text(u.name);
    w.put(static_cast<uint8_t>(u.type));
    w.put(u.cores);
    w.put(u.port_bandwidth);
    w.put(u.idle_power);
    w.put(u.busy_power);
  }
  w.put(platform.cpu_bandwidth);
  w.put(platform.dram_bandwidth);
  w.put(g.size());
  for (OpId i = 0; i < g.size(); ++i) {
    const Op& op = g.op(i);
    w.put(static_cast<uint8_t>(op.kind));
    w.put(static_cast<uint8_t>(op.phase));
    w.put(op.place.count);
    for (uint8_t k = 0; k < op.place.count; ++k) {
      w.put(op.place.unit[k]);
      w.put(op.place.cores[k]);
    }
    w.put(op.lane);
    w.put(op.layer);
    w.put(op.chunk);
    w.put(op.token);
    w.put(op.pos);
    w.put(op.rows);
    w.put(op.num_parts);
    w.put(op.launches);
    w.put(op.rank);
    w.put(op.fixed_time);
    w.put(op.compute_scale);
    w.put(op.flash_bytes);
    w.put(op.flash_request);
    w.put(op.flash_span);
    w.put(op.flash_depth);
    w.put(op.name_id);
    const OpCost& c = costs[i];
    w.put(c.delay_s);
    w.put(c.compute_s);
    w.put(c.dram_bytes);
    w.put(c.actual_bytes);
    w.put(c.flash_service_s);
    w.put(c.estimator);
    const std::span<const OpId> preds = g.preds(i);
    w.put(preds.size());
    for (OpId p : preds) w.put(p);
  }
  w.put(g.names().size());
  for (const std::string& name : g.names()) w.put_text(name);
}

// Eight bytes a step (keys are tens of kB; a match is confirmed by comparing them whole).
size_t SimulationMemo::Hash::operator()(std::string_view s) const {
  uint64_t h = s.size() * 0x9e3779b97f4a7c15ULL;
  size_t i = 0;
  for (uint64_t w; i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
  }
  for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 0x94d049bb133111ebULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

size_t SimulationMemo::bytes_of(const std::string& key, const MemoisedRun& run) {
  return key.size() + run.timing.size() * sizeof(OpTiming) +
         run.dispatch_order.size() * sizeof(OpId);
}

const MemoisedRun* SimulationMemo::find(const TaskGraph& g, const std::vector<OpCost>& costs,
                                        const PlatformSpec& platform, std::string_view schedule,
                                        BackendKind backend) {
  pending_key_.clear();
  // A run too large to keep (a long decode, which does not recur) is not looked up at all.
  if (g.size() * (kBytesPerOp + sizeof(OpTiming) + sizeof(OpId)) > max_bytes_ / 4) return nullptr;
  write_simulation_key(g, costs, platform, schedule, backend, pending_key_);
  const auto it = runs_.find(std::string_view(pending_key_));
  if (it == runs_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  pending_key_.clear();
  return &it->second;
}

void SimulationMemo::keep(MemoisedRun run) {
  if (pending_key_.empty()) return;
  const size_t bytes = bytes_of(pending_key_, run);
  const auto [it, added] = runs_.try_emplace(std::move(pending_key_), std::move(run));
  pending_key_.clear();
  if (!added) return;
  bytes_ += bytes;
  order_.push_back(&it->first);
  while (bytes_ > max_bytes_ && order_.size() > 1) {
    const auto old = runs_.find(std::string_view(*order_.front()));
    bytes_ -= bytes_of(old->first, old->second);
    runs_.erase(old);
    order_.pop_front();
  }
}

}  // namespace socsim
