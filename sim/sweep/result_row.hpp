// One design point's row in a sweep's outputs. results.jsonl holds one JSON object per line:
//   {"point":7,"axes":{"hw":"oneplus-12","hw.npu.clock":"600MHz"},"status":"ok","message":"",
//    "result":{"hw":"OnePlus 12",...,"energy_j_by_unit.npu":0.91,...}}
// where `axes` gives every column's value as written ("" = the base run's), `status` is ok,
// infeasible, input_error, error (an internal error) or crashed, `message` says why a point did
// not run, and `result` is `socsim run --json` flattened into dotted keys
// (decode_token_latency_s.p99, memory_bytes_by_part.weights) without the wall-clock field
// sim_wall_s, so that rows are deterministic. results.csv has the same rows as columns point,
// <axes...>, status, message, <result keys...>: the union of every row's keys in order of first
// appearance (a result key that equals an axis or a fixed column is prefixed "result.").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/sweep/sweep_points.hpp"

namespace socsim {

enum class PointStatus { kOk, kInfeasible, kInputError, kError, kCrashed };
std::string_view status_name(PointStatus s);

// `socsim run --json` without sim_wall_s, nested objects flattened into dotted keys.
nlohmann::ordered_json flatten_result(const nlohmann::ordered_json& run_json);

// The JSONL row of a point (no trailing newline).
std::string row_line(const SweepPlan& plan, size_t point, PointStatus status,
                     const std::string& message, const nlohmann::ordered_json& flat_result);

// A row read back, as CSV cell texts.
struct RowCells {
  size_t point = 0;
  std::vector<std::string> axes;  // in `columns` order
  std::string status, message;
  std::vector<std::pair<std::string, std::string>> result;  // key, cell text
};
// nullopt when the line is not a row of a sweep with these columns.
std::optional<RowCells> parse_row(std::string_view line, const std::vector<std::string>& columns);

// The point of a row line without reading the rest (rows start with {"point":N,).
bool row_point(std::string_view line, size_t& point);

// The columns of results.csv: fixed ones, then result keys as rows bring them.
class CsvLayout {
 public:
  explicit CsvLayout(std::vector<std::string> axes);
  // Adds the row's result keys not seen yet (each after the key that precedes it in the row);
  // true when the header changed.
  bool add(const RowCells& row);
  std::string header() const;                   // with newline
  std::string line(const RowCells& row) const;  // with newline

 private:
  std::string column_of(const std::string& key) const;
  std::vector<std::string> axes_, keys_;
  std::unordered_map<std::string, size_t> position_;
};

}  // namespace socsim
