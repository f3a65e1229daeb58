// Notes of the rows a sweep has read; see row_notes.hpp.
#include "sim/sweep/row_notes.hpp"

#include <algorithm>

namespace socsim {

void RowNotes::clear() {
  std::fill(rows_.begin(), rows_.end(), Row{});
}

void RowNotes::note(const RowCells& row) {
  if (row.point >= rows_.size() || rows_[row.point].keys != 0) return;
  std::string joined;
  for (const auto& [key, cell] : row.result) (joined += key) += '\n';
  auto [it, added] = key_seq_ids_.try_emplace(std::move(joined), key_seqs_.size());
  if (added) {
    RowCells keys;
    for (const auto& [key, cell] : row.result) keys.result.emplace_back(key, std::string());
    key_seqs_.push_back(std::move(keys));
  }
  auto status = std::find(statuses_.begin(), statuses_.end(), row.status);
  if (status == statuses_.end()) status = statuses_.insert(statuses_.end(), row.status);
  rows_[row.point] = {it->second + 1, static_cast<uint32_t>(status - statuses_.begin())};
}

std::optional<CsvLayout> RowNotes::layout(const std::vector<std::string>& axes,
                                          const std::vector<size_t>& points) const {
  CsvLayout layout(axes);
  std::vector<char> added(key_seqs_.size(), 0);
  for (size_t p : points) {
    if (!noted(p)) return std::nullopt;
    const uint32_t k = rows_[p].keys - 1;
    if (!added[k]) layout.add(key_seqs_[k]), added[k] = 1;
  }
  return layout;
}

std::map<std::string, size_t> RowNotes::counts(const std::vector<size_t>& points) const {
  std::map<std::string, size_t> counts;
  for (size_t p : points)
    if (noted(p)) ++counts[statuses_[rows_[p].status]];
  return counts;
}

std::vector<std::string_view> csv_records(std::string_view text) {
  std::vector<std::string_view> records;
  bool quoted = false;
  size_t begin = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;  // a doubled quote toggles twice
    if (text[i] == '\n' && !quoted) {
      records.push_back(text.substr(begin, i + 1 - begin));
      begin = i + 1;
    }
  }
  if (begin < text.size()) records.push_back(text.substr(begin));
  return records;
}

}  // namespace socsim
