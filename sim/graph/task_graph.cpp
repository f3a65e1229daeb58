// Flat storage of the task graph; see task_graph.hpp.
#include "sim/graph/task_graph.hpp"

#include "sim/graph/prefault.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace socsim {

uint32_t TaskGraph::intern(std::string_view name) {
  if (const auto it = name_index_.find(name); it != name_index_.end()) return it->second;
  const auto id = static_cast<uint32_t>(names_.size());
  name_index_.emplace(std::string(name), id);
  names_.emplace_back(name);
  return id;
}

OpId TaskGraph::add(Op op, std::span<const OpPart> parts, std::span<const OpId> preds,
                    std::string_view name) {
  return add(op, parts, preds, intern(name));
}

namespace {

bool same_part(const OpPart& a, const OpPart& b) {
  return a.kind == b.kind && a.dtype == b.dtype && a.role == b.role && a.m == b.m && a.n == b.n &&
         a.k == b.k && a.flops == b.flops && a.weight_bytes == b.weight_bytes &&
         a.act_read == b.act_read && a.act_written == b.act_written && a.kv_read == b.kv_read &&
         a.kv_written == b.kv_written;
}

// A multiply-xorshift mix of the fields as 64-bit words (not the bytes: the struct's padding is
// not initialised).
uint64_t hash_parts(std::span<const OpPart> parts) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ parts.size();
  const auto mix = [&](uint64_t w) {
    h ^= w + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
  };
  for (const OpPart& q : parts) {
    mix(static_cast<uint64_t>(q.kind) | static_cast<uint64_t>(q.dtype) << 8 |
        static_cast<uint64_t>(q.role) << 16 |
        static_cast<uint64_t>(static_cast<uint32_t>(q.m)) << 24);
    mix(static_cast<uint64_t>(static_cast<uint32_t>(q.n)) |
        static_cast<uint64_t>(static_cast<uint32_t>(q.k)) << 32);
    // The byte counts follow from the shape in almost every list; two of them are enough to tell
    // lists apart (equal hashes are compared in full before sharing).
    mix(std::bit_cast<uint64_t>(q.flops) ^ std::bit_cast<uint64_t>(q.kv_read) >> 1);
    mix(std::bit_cast<uint64_t>(q.weight_bytes) ^ std::bit_cast<uint64_t>(q.act_read) >> 1);
  }
  return h ^ (h >> 33);
}

}  // namespace

OpId TaskGraph::add(Op op, std::span<const OpPart> parts, std::span<const OpId> preds,
                    uint32_t name_id) {
  const OpId id = static_cast<OpId>(ops_.size());
  op.num_parts = static_cast<uint16_t>(parts.size());
  const uint64_t h = hash_parts(parts);
  if (recent_lists_.empty()) recent_lists_.resize(kRecentLists);
  auto& recent = recent_lists_[h % kRecentLists];
  bool shared = false;
  if (recent.second > 0 && recent.first == h) {
    const uint32_t first = recent.second - 1;
    shared = first + parts.size() <= parts_.size();
    for (size_t i = 0; shared && i < parts.size(); ++i)
      shared = same_part(parts_[first + i], parts[i]);
    // A list stored once is shared from then on; a hash collision stores the new list apart.
    if (shared) {
      op.first_part = first;
      ++list_users_.try_emplace(first, 1).first->second;  // the list's first user and this op
    }
  }
  if (!shared) {
    op.first_part = static_cast<uint32_t>(parts_.size());
    parts_.insert(parts_.end(), parts.begin(), parts.end());
    recent = {h, op.first_part + 1};
  }
  op.first_pred = static_cast<uint32_t>(preds_.size());
  op.num_preds = static_cast<uint32_t>(preds.size());
  for (OpId p : preds)
    if (p >= id) throw std::logic_error("TaskGraph::add: predecessor does not exist yet");
  preds_.insert(preds_.end(), preds.begin(), preds.end());
  op.name_id = name_id;
  ops_.push_back(op);
  return id;
}

std::span<OpPart> TaskGraph::parts_mut(OpId i) {
  Op& op = ops_[i];
  const auto users = list_users_.find(op.first_part);
  if (users != list_users_.end()) {
    // Shared: give this op its own copy (an unshared list is no longer found by add()).
    if (--users->second == 1) list_users_.erase(users);
    const auto first = static_cast<uint32_t>(parts_.size());
    parts_.resize(parts_.size() + op.num_parts);
    std::copy_n(parts_.begin() + op.first_part, op.num_parts, parts_.begin() + first);
    op.first_part = first;
  }
  return {parts_.data() + op.first_part, op.num_parts};
}

void TaskGraph::build_successors() {
  succ_start_.assign(ops_.size() + 1, 0);
  for (OpId p : preds_) ++succ_start_[p + 1];
  for (size_t i = 0; i < ops_.size(); ++i) succ_start_[i + 1] += succ_start_[i];
  succs_.assign(preds_.size(), 0);
  std::vector<uint32_t> fill(succ_start_.begin(), succ_start_.end() - 1);
  for (OpId i = 0; i < ops_.size(); ++i)
    for (OpId p : preds(i)) succs_[fill[p]++] = i;
}

void TaskGraph::reserve(size_t ops, size_t parts, size_t edges) {
  // The op table is filled to about its reserve; shared part lists leave most of parts_ unused.
  reserve_prefaulted(ops_, ops);
  parts_.reserve(parts);
  preds_.reserve(edges);
}

double TaskGraph::total_flops() const {
  double f = 0;
  for (OpId i = 0; i < ops_.size(); ++i)
    for (const OpPart& p : parts(i)) f += p.flops;
  return f;
}

double TaskGraph::total_bytes() const {
  double b = 0;
  for (OpId i = 0; i < ops_.size(); ++i)
    for (const OpPart& p : parts(i)) b += p.bytes();
  return b;
}

}  // namespace socsim
