// Flat storage of the task graph; see task_graph.hpp.
#include "sim/graph/task_graph.hpp"

#include <stdexcept>

namespace socsim {

uint32_t TaskGraph::intern(std::string_view name) {
  auto [it, inserted] =
      name_index_.try_emplace(std::string(name), static_cast<uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(name);
  return it->second;
}

OpId TaskGraph::add(Op op, std::span<const OpPart> parts, std::span<const OpId> preds,
                    std::string_view name) {
  return add(op, parts, preds, intern(name));
}

OpId TaskGraph::add(Op op, std::span<const OpPart> parts, std::span<const OpId> preds,
                    uint32_t name_id) {
  const OpId id = static_cast<OpId>(ops_.size());
  op.first_part = static_cast<uint32_t>(parts_.size());
  op.num_parts = static_cast<uint16_t>(parts.size());
  parts_.insert(parts_.end(), parts.begin(), parts.end());
  op.first_pred = static_cast<uint32_t>(preds_.size());
  op.num_preds = static_cast<uint32_t>(preds.size());
  for (OpId p : preds)
    if (p >= id) throw std::logic_error("TaskGraph::add: predecessor does not exist yet");
  preds_.insert(preds_.end(), preds.begin(), preds.end());
  op.name_id = name_id;
  ops_.push_back(op);
  return id;
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
  ops_.reserve(ops);
  parts_.reserve(parts);
  preds_.reserve(edges);
}

double TaskGraph::total_flops() const {
  double f = 0;
  for (const OpPart& p : parts_) f += p.flops;
  return f;
}

double TaskGraph::total_bytes() const {
  double b = 0;
  for (const OpPart& p : parts_) b += p.bytes();
  return b;
}

}  // namespace socsim
