// The live results of a sweep being run in an output directory (files in sweep_dir.hpp), and
// what makes a sweep safe to kill and resume at any moment. A point is done exactly when its
// whole row is in results.jsonl: rows are appended whole (one write() per batch of rows, fsync
// about once a second), so a killed sweep leaves at most one partial last line. Opening the
// directory again for the same sweep and shard cuts that line off, takes the points already
// there as done and rebuilds results.csv from results.jsonl; the rest is then run and appended.
// finish() rewrites both files sorted by point, so the outputs do not depend on the order points
// ran in (-j), on interruptions, or on sharding.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/sweep/result_row.hpp"
#include "sim/sweep/row_notes.hpp"
#include "sim/sweep/sweep_dir.hpp"

namespace socsim {

class ResultsStore {
 public:
  // Opens DIR for the plan's shard, creating it or resuming it. A DIR that holds another sweep
  // (or another shard) is refused with an InputError, unless `restart`, which discards its rows.
  // A DIR another sweep is writing to (its .lock held) is refused with an InputError.
  ResultsStore(std::string dir, const SweepPlan& plan, const ShardSpec& shard,
               const std::string& sweep_file_text, bool restart);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  bool done(size_t point) const { return done_[point] != 0; }
  size_t done_count() const { return done_count_; }
  size_t resumed_count() const { return resumed_; }
  // Appends complete rows ("line\n" each) of the given points.
  void append(const std::vector<size_t>& points, std::string_view lines);
  // Rewrites results.jsonl and results.csv sorted by point; returns the rows by status.
  std::map<std::string, size_t> finish();

 private:
  void resume();
  void rewrite_csv();  // from results.jsonl as it is now
  void append_fd(int fd, std::string_view data, const std::string& path);
  // finish() from the row notes and the CSV lines already written, without parsing the rows
  // again; nullopt when they cannot be used (the columns of the rows in point order differ from
  // the live ones, or a row was never parsed), and finish() then parses.
  std::optional<std::map<std::string, size_t>> finish_from_notes(
      const std::vector<std::pair<size_t, std::string_view>>& sorted_rows);

  // Rows of this sweep's shard in results.jsonl (first of each point), in file order; with
  // `check`, only those that parse as rows of this sweep.
  std::vector<std::pair<size_t, std::string_view>> rows_in(const std::string& text,
                                                           bool check) const;

  // Holds DIR/.lock from before the directory is read until the store is gone, including when
  // the constructor throws after taking it.
  struct DirLock {
    explicit DirLock(const std::string& dir);
    ~DirLock();
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;
    int fd_ = -1;
  };

  std::string dir_;
  DirLock lock_;
  std::string jsonl_path_, csv_path_;
  ShardSpec shard_;
  std::vector<std::string> axes_;
  std::vector<char> done_;
  size_t done_count_ = 0, resumed_ = 0;
  int jsonl_fd_ = -1, csv_fd_ = -1;
  CsvLayout layout_;
  RowNotes notes_;
  bool unparsed_rows_ = false;  // a row appended that did not parse
  std::chrono::steady_clock::time_point last_sync_;
};

}  // namespace socsim
