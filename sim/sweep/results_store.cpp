// Live sweep results with resume; see results_store.hpp.
#include "sim/sweep/results_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

namespace socsim {
namespace fs = std::filesystem;

namespace {

std::string describe(const std::string& name, size_t points, const std::string& hash,
                     const ShardSpec& shard) {
  return fmt::format(
      "'{}', {} points, definition {}{}", name, points, hash,
      shard.count > 1 ? fmt::format(", shard {}/{}", shard.index, shard.count) : std::string());
}

int open_append(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError({path}, fmt::format("cannot open: {}", std::strerror(errno)));
  return fd;
}

}  // namespace

// Takes the directory's lock file (.lock, flock: released by the kernel when the process ends,
// so a killed sweep never leaves it held) or refuses: two sweeps appending to one results.jsonl
// would interleave and lose rows. The holder's process id is written into the file for the
// message.
ResultsStore::DirLock::DirLock(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string path = (fs::path(dir) / ".lock").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw InputError({dir}, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK)
      throw InputError({dir}, fmt::format("another sweep{} is writing to this directory: wait for "
                                          "it to finish, or choose another --out",
                                          n > 0 ? fmt::format(" (process {})", pid) : ""));
    throw InputError({dir}, fmt::format("cannot lock {}: {}", path, std::strerror(err)));
  }
  const std::string me = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The lock holds without the id; only the message of a refused sweep would lack it.
  }
  fd_ = fd;
}

ResultsStore::DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);
}

ResultsStore::ResultsStore(std::string dir, const SweepPlan& plan, const ShardSpec& shard,
                           const std::string& sweep_file_text, bool restart)
    : dir_(std::move(dir)),
      lock_(dir_),
      jsonl_path_((fs::path(dir_) / "results.jsonl").string()),
      csv_path_((fs::path(dir_) / "results.csv").string()),
      shard_(shard),
      axes_(plan.columns()),
      done_(plan.size(), 0),
      layout_(axes_),
      notes_(plan.size()),
      last_sync_(std::chrono::steady_clock::now()) {
  std::optional<Manifest> old;
  try {
    old = read_manifest(dir_);
  } catch (const InputError&) {
    if (!restart) throw;
  }
  const bool same = old && old->hash == plan.hash() && old->shard.count == shard.count &&
                    old->shard.index == shard.index;
  const bool rows = fs::exists(jsonl_path_) || fs::exists(csv_path_);
  if (!restart && old && !same)
    throw InputError({dir_},
                     fmt::format("holds results of another sweep ({}); this one is {}: rerun with "
                                 "--restart to discard them, or choose another --out",
                                 describe(old->name, old->points, old->hash, old->shard),
                                 describe(plan.spec().name, plan.size(), plan.hash(), shard)));
  if (!restart && !old && rows)
    throw InputError({dir_},
                     "holds results.jsonl or results.csv but no sweep.json, so they may "
                     "be another sweep's: rerun with --restart to discard them, or choose "
                     "another --out");
  if (restart || !same) {
    std::error_code ec;
    fs::remove(jsonl_path_, ec);
    fs::remove(csv_path_, ec);
  }
  write_definition_files(dir_, manifest_text(plan, shard), plan.definition(), sweep_file_text);
  resume();
  jsonl_fd_ = open_append(jsonl_path_);
}

ResultsStore::~ResultsStore() {
  if (jsonl_fd_ >= 0) ::close(jsonl_fd_);
  if (csv_fd_ >= 0) ::close(csv_fd_);
}

std::vector<std::pair<size_t, std::string_view>> ResultsStore::rows_in(const std::string& text,
                                                                       bool check) const {
  std::vector<std::pair<size_t, std::string_view>> rows;
  std::vector<char> seen(done_.size(), 0);
  int number = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a partial last line is not a row
    const std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++number;
    size_t point = 0;
    if (check) {
      // A whole line that is not a row of this sweep was not torn by a kill (only the last line
      // can be): the file was damaged or edited, and its rows cannot be trusted to be this
      // sweep's.
      const std::optional<RowCells> r = parse_row(line, axes_);
      if (!r)
        throw InputError(
            {jsonl_path_, number, 1},
            "not a result row of this sweep (the file is damaged): delete this line to run its "
            "point again, or rerun with --restart to discard every result");
      point = r->point;
    } else if (!row_point(line, point)) {
      continue;
    }
    if (point >= done_.size() || !shard_.holds(point) || seen[point]) continue;
    seen[point] = 1;
    rows.emplace_back(point, line);
  }
  return rows;
}

void ResultsStore::resume() {
  if (!fs::exists(jsonl_path_)) return rewrite_csv();
  const std::string text = read_file(jsonl_path_);
  const size_t whole = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  if (whole < text.size() && ::truncate(jsonl_path_.c_str(), static_cast<off_t>(whole)) != 0)
    throw InputError({jsonl_path_},
                     fmt::format("cannot cut off the partial last row: {}", std::strerror(errno)));
  for (const auto& [point, line] : rows_in(text, true)) done_[point] = 1, ++done_count_;
  resumed_ = done_count_;
  rewrite_csv();
}

void ResultsStore::rewrite_csv() {
  const std::string text = fs::exists(jsonl_path_) ? read_file(jsonl_path_) : std::string();
  const auto rows = rows_in(text, true);
  layout_ = CsvLayout(axes_);
  notes_.clear();
  std::vector<RowCells> cells;
  for (const auto& [point, line] : rows) {
    cells.push_back(*parse_row(line, axes_));
    layout_.add(cells.back());
    notes_.note(cells.back());
  }
  std::string csv = layout_.header();
  for (const RowCells& r : cells) csv += layout_.line(r);
  if (csv_fd_ >= 0) ::close(csv_fd_);
  csv_fd_ = -1;
  write_file_atomic(csv_path_, csv);
  csv_fd_ = open_append(csv_path_);
}

void ResultsStore::append_fd(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {  // one write() unless the kernel takes less
    const ssize_t w = ::write(fd, data.data(), data.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      throw InputError({path}, fmt::format("cannot append: {}; the rows written so far are kept: "
                                           "make room, then run the same command to resume",
                                           w < 0 ? std::strerror(errno) : "nothing was written"));
    data.remove_prefix(static_cast<size_t>(w));
  }
}

void ResultsStore::append(const std::vector<size_t>& points, std::string_view lines) {
  append_fd(jsonl_fd_, lines, jsonl_path_);
  bool wider = false;
  std::string csv;
  for (size_t pos = 0, i = 0; pos < lines.size(); ++i) {
    const size_t nl = lines.find('\n', pos);
    const std::optional<RowCells> r = parse_row(lines.substr(pos, nl - pos), axes_);
    pos = nl + 1;
    if (i < points.size() && points[i] < done_.size() && !done_[points[i]])
      done_[points[i]] = 1, ++done_count_;
    if (!r) {
      unparsed_rows_ = true;
      continue;
    }
    notes_.note(*r);
    wider = layout_.add(*r) || wider;
    csv += layout_.line(*r);
  }
  if (wider)
    rewrite_csv();
  else
    append_fd(csv_fd_, csv, csv_path_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sync_ >= std::chrono::seconds(1)) {
    ::fdatasync(jsonl_fd_);
    last_sync_ = now;
  }
}

std::map<std::string, size_t> ResultsStore::finish() {
  ::fsync(jsonl_fd_);
  const std::string text = read_file(jsonl_path_);
  std::vector<std::pair<size_t, std::string_view>> rows = rows_in(text, false);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (auto counts = finish_from_notes(rows)) return *counts;
  return write_sorted_results(dir_, axes_, std::move(rows));  // rows checked when added
}

std::optional<std::map<std::string, size_t>> ResultsStore::finish_from_notes(
    const std::vector<std::pair<size_t, std::string_view>>& sorted_rows) {
  if (unparsed_rows_) return std::nullopt;
  std::vector<size_t> points;
  points.reserve(sorted_rows.size());
  for (const auto& row : sorted_rows) points.push_back(row.first);
  const std::optional<CsvLayout> columns = notes_.layout(axes_, points);
  const std::string header = layout_.header();
  if (!columns || columns->header() != header) return std::nullopt;
  // Every line of results.csv was drawn under the live columns (a change redraws them all).
  const std::string csv_text = read_file(csv_path_);
  const std::vector<std::string_view> records = csv_records(csv_text);
  if (records.empty() || records.front() != header) return std::nullopt;
  std::vector<std::string_view> line_of(done_.size());
  for (size_t i = 1; i < records.size(); ++i) {
    size_t point = 0;
    const auto [end, ec] =
        std::from_chars(records[i].data(), records[i].data() + records[i].size(), point);
    if (ec != std::errc() || end == records[i].data() + records[i].size() || *end != ',')
      return std::nullopt;
    if (point < line_of.size() && line_of[point].empty()) line_of[point] = records[i];
  }
  // Both files go out as pieces of the texts read back, in point order.
  std::vector<std::string_view> jsonl, csv{header};
  jsonl.reserve(sorted_rows.size());
  csv.reserve(sorted_rows.size() + 1);
  for (const auto& [point, line] : sorted_rows) {
    if (line_of[point].empty()) return std::nullopt;
    jsonl.emplace_back(line.data(), line.size() + 1);  // a row is followed by its newline
    csv.push_back(line_of[point]);
  }
  write_file_atomic(jsonl_path_, jsonl);
  write_file_atomic(csv_path_, csv);
  return notes_.counts(points);
}

}  // namespace socsim
