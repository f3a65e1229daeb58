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

// Two multiply-rotate lanes over the fields as 64-bit words (not the bytes: the struct's padding
// is not initialised), so that the multiplications of a part do not wait for each other, then an
// avalanche of both lanes: the recent-list table is indexed by the low bits.
uint64_t hash_parts(std::span<const OpPart> parts) {
  constexpr uint64_t k1 = 0x9e3779b97f4a7c15ull, k2 = 0xc2b2ae3d27d4eb4full;
  uint64_t a = k1 ^ parts.size(), b = k2;
  const auto lane = [](uint64_t h, uint64_t w, uint64_t k) { return std::rotl((h ^ w) * k, 31); };
  for (const OpPart& q : parts) {
    a = lane(a,
             static_cast<uint64_t>(q.kind) | static_cast<uint64_t>(q.dtype) << 8 |
                 static_cast<uint64_t>(q.role) << 16 |
                 static_cast<uint64_t>(static_cast<uint32_t>(q.m)) << 24,
             k1);
    b = lane(b,
             static_cast<uint64_t>(static_cast<uint32_t>(q.n)) |
                 static_cast<uint64_t>(static_cast<uint32_t>(q.k)) << 32,
             k2);
    // The byte counts follow from the shape in almost every list; two of them are enough to tell
    // lists apart (equal hashes are compared in full before sharing).
    a = lane(a, std::bit_cast<uint64_t>(q.flops) ^ std::bit_cast<uint64_t>(q.kv_read) >> 1, k1);
    b = lane(b, std::bit_cast<uint64_t>(q.weight_bytes) ^ std::bit_cast<uint64_t>(q.act_read) >> 1,
             k2);
  }
  uint64_t h = a ^ std::rotl(b, 17);
  h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;
  return h ^ (h >> 29);
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
      uint32_t& users = list_users_[first];
      users = users == 0 ? 2 : users + 1;  // the list's first user and this op
    }
  }
  if (!shared) {
    op.first_part = static_cast<uint32_t>(parts_.size());
    parts_.insert(parts_.end(), parts.begin(), parts.end());
    list_users_.resize(parts_.size() + 1);  // + 1: an empty list starts at the end
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
  if (uint32_t& users = list_users_[op.first_part]; users >= 2) {
    // Shared: give this op its own copy (an unshared list is no longer found by add()).
    users = users == 2 ? 0 : users - 1;
    const auto first = static_cast<uint32_t>(parts_.size());
    parts_.resize(parts_.size() + op.num_parts);
    list_users_.resize(parts_.size() + 1);
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
