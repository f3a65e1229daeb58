// Reuse of identical simulations; see simulation_memo.hpp.
#include "sim/engine/simulation_memo.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

namespace socsim {
namespace {

// Writes values' bytes from the start of `out`; each field is written alone, so struct padding
// never enters a key. The string only grows (in steps, zero-filled then), so a field costs one
// store and a buffer written again costs no fill; done() gives the length written.
class KeyWriter {
 public:
  explicit KeyWriter(std::string& out, size_t expected) : out_(out) {
    if (out_.size() < expected) out_.resize(expected);
  }
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T> && !std::is_class_v<T>);
    room(sizeof v);
    std::memcpy(out_.data() + at_, &v, sizeof v);
    at_ += sizeof v;
  }
  void put_text(std::string_view s) {
    put(s.size());
    room(s.size());
    std::memcpy(out_.data() + at_, s.data(), s.size());
    at_ += s.size();
  }
  size_t done() const { return at_; }

 private:
  void room(size_t n) {
    if (at_ + n > out_.size()) out_.resize(std::max(2 * out_.size(), at_ + n));
  }
  std::string& out_;
  size_t at_ = 0;
};

// Per op: 84-88 bytes of tags, placement, timing inputs and name, 41 of cost, 8 of predecessor
// count and 4 per predecessor; 160 covers ops of up to about six predecessors (the buffer grows
// past it, and the bound only reserves and sizes the memo's admission test).
constexpr size_t kBytesPerOp = 160;

// The key written from the start of `buffer`, which keeps its size if that is larger; returns the
// key's length.
size_t write_key_into(const TaskGraph& g, const std::vector<OpCost>& costs,
                      const PlatformSpec& platform, std::string_view schedule, BackendKind backend,
                      std::string& buffer) {
  KeyWriter w(buffer, g.size() * kBytesPerOp + 256);
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
  return w.done();
}

}  // namespace

void write_simulation_key(const TaskGraph& g, const std::vector<OpCost>& costs,
                          const PlatformSpec& platform, std::string_view schedule,
                          BackendKind backend, std::string& key) {
  key.clear();
  key.resize(write_key_into(g, costs, platform, schedule, backend, key));
}

// Four independent lanes of eight bytes (keys are tens of kB; a match is confirmed by comparing
// them whole).
uint64_t SimulationMemo::hash_of(std::string_view s) {
  uint64_t h[4] = {s.size(), 0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL};
  size_t i = 0;
  for (uint64_t w[4]; i + 32 <= s.size(); i += 32) {
    std::memcpy(w, s.data() + i, 32);
    for (int k = 0; k < 4; ++k) {
      h[k] = (h[k] ^ w[k]) * 0xbf58476d1ce4e5b9ULL;
      h[k] ^= h[k] >> 31;
    }
  }
  uint64_t x = h[0] ^ std::rotl(h[1], 16) ^ std::rotl(h[2], 32) ^ std::rotl(h[3], 48);
  for (; i < s.size(); ++i) x = (x ^ static_cast<unsigned char>(s[i])) * 0x94d049bb133111ebULL;
  return x ^ (x >> 29);
}

size_t SimulationMemo::bytes_of(const Entry& e) {
  return e.key.size() + e.run.timing.size() * sizeof(OpTiming) +
         e.run.dispatch_order.size() * sizeof(OpId);
}

const MemoisedRun* SimulationMemo::find(const TaskGraph& g, const std::vector<OpCost>& costs,
                                        const PlatformSpec& platform, std::string_view schedule,
                                        BackendKind backend) {
  pending_length_ = 0;
  // A run too large to keep (a long decode, which does not recur) is not looked up at all.
  if (g.size() * (kBytesPerOp + sizeof(OpTiming) + sizeof(OpId)) > max_bytes_ / 4) return nullptr;
  const size_t length = write_key_into(g, costs, platform, schedule, backend, scratch_);
  const std::string_view key(scratch_.data(), length);  // after the write: it may reallocate
  pending_hash_ = hash_of(key);
  const auto [from, to] = ids_by_hash_.equal_range(pending_hash_);
  for (auto it = from; it != to; ++it) {
    Entry& e = entries_[static_cast<size_t>(it->second - first_id_)];
    if (e.key == key) {
      ++hits_;
      return &e.run;
    }
  }
  ++misses_;
  pending_length_ = key.size();  // never 0: a key starts with the backend
  return nullptr;
}

void SimulationMemo::keep(MemoisedRun run) {
  if (pending_length_ == 0) return;
  entries_.push_back({pending_hash_, scratch_.substr(0, pending_length_), std::move(run)});
  pending_length_ = 0;
  ids_by_hash_.emplace(pending_hash_, first_id_ + entries_.size() - 1);
  bytes_ += bytes_of(entries_.back());
  while (bytes_ > max_bytes_ && entries_.size() > 1) {
    Entry& old = entries_.front();
    const auto [from, to] = ids_by_hash_.equal_range(old.hash);
    for (auto it = from; it != to; ++it)
      if (it->second == first_id_) {
        ids_by_hash_.erase(it);
        break;
      }
    bytes_ -= bytes_of(old);
    entries_.pop_front();
    ++first_id_;
  }
}

}  // namespace socsim
