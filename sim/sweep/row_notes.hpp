// What the sweep's parent keeps of every row it has read, so that the final, point-ordered
// results need not parse the rows again: each point's status and the sequence of its result keys
// (rows of one sweep share a handful of sequences, each stored once). From these the CSV columns
// of the rows in point order can be rebuilt exactly as parsing them would (CsvLayout adds a
// sequence seen before without change), and the CSV lines already written, which were drawn
// under the live columns, stay valid whenever both column lists agree.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/sweep/result_row.hpp"

namespace socsim {

class RowNotes {
 public:
  explicit RowNotes(size_t points) : rows_(points) {}
  void clear();
  // Notes a parsed row; the first row of a point is the one kept, as in the results files.
  void note(const RowCells& row);
  bool noted(size_t point) const { return point < rows_.size() && rows_[point].keys != 0; }
  // The CSV columns of the noted rows of `points` taken in that order, and their rows by status;
  // nullopt if one of them was not noted.
  std::optional<CsvLayout> layout(const std::vector<std::string>& axes,
                                  const std::vector<size_t>& points) const;
  std::map<std::string, size_t> counts(const std::vector<size_t>& points) const;

 private:
  struct Row {
    uint32_t keys = 0;  // 1 + index into key_seqs_; 0: not noted
    uint32_t status = 0;
  };
  std::vector<Row> rows_;
  std::unordered_map<std::string, uint32_t> key_seq_ids_;  // keys joined by '\n' -> index
  std::vector<RowCells> key_seqs_;                         // result keys with empty cells
  std::vector<std::string> statuses_;
};

// Splits CSV text into its records (a newline inside a quoted cell does not end one); each
// record keeps its newline.
std::vector<std::string_view> csv_records(std::string_view text);

}  // namespace socsim
