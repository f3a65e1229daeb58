// Sweep output directories; see sweep_dir.hpp.
#include "sim/sweep/sweep_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/config/file_text.hpp"
#include "sim/sweep/result_row.hpp"

namespace socsim {
namespace fs = std::filesystem;

ShardSpec parse_shard(const std::string& text, const std::string& option) {
  ShardSpec s;
  char slash = 0;
  std::istringstream in(text);
  long long i = 0, n = 0;
  in >> i >> slash >> n;
  if (!in || slash != '/' || in.peek() != EOF || n < 1 || i < 1 || i > n)
    throw InputError({option},
                     fmt::format("'{}' is not a shard I/N with 1 <= I <= N, e.g. 2/8", text));
  s.index = static_cast<size_t>(i);
  s.count = static_cast<size_t>(n);
  return s;
}

std::string manifest_text(const SweepPlan& plan, const ShardSpec& shard) {
  const SweepSpec& s = plan.spec();
  nlohmann::ordered_json j;
  j["format"] = "socsim-sweep-1";
  j["name"] = s.name;
  j["definition_hash"] = plan.hash();
  j["points"] = plan.size();
  j["axes"] = plan.columns();
  nlohmann::ordered_json base;
  base["hw"] = s.hw.text;
  base["model"] = s.model.text;
  base["policy"] = s.policy.text;
  base["backend"] = s.backend.text;
  if (!s.session.text.empty()) base["session"] = s.session.text;
  base["sets"] = nlohmann::ordered_json::array();
  for (const SweepValue& v : s.sets) base["sets"].push_back(v.text);
  j["base"] = base;
  if (shard.count > 1)
    j["shard"] = {{"index", shard.index},
                  {"count", shard.count},
                  {"rule", "point % count == index - 1"},
                  {"points", shard.size_of(plan.size())}};
  return j.dump(2) + "\n";
}

std::string read_file(const std::string& path) {
  std::optional<std::string> text = read_file_text(path);
  if (!text) throw InputError({path}, "cannot open file");
  return std::move(*text);
}

std::optional<Manifest> read_manifest(const std::string& dir) {
  const std::string path = (fs::path(dir) / "sweep.json").string();
  if (!fs::exists(path)) return std::nullopt;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(read_file(path), nullptr, false);
  const bool ok = !j.is_discarded() && j.is_object() && j.value("format", "") == "socsim-sweep-1" &&
                  j.contains("definition_hash") && j["definition_hash"].is_string() &&
                  j.contains("points") && j["points"].is_number_unsigned() && j.contains("axes") &&
                  j["axes"].is_array();
  if (!ok) throw InputError({path}, "not a socsim sweep manifest (format socsim-sweep-1)");
  Manifest m;
  m.name = j.value("name", "");
  m.hash = j["definition_hash"].get<std::string>();
  m.points = j["points"].get<size_t>();
  for (const auto& a : j["axes"])
    if (a.is_string()) m.axes.push_back(a.get<std::string>());
  if (j.contains("shard")) {
    const auto& s = j["shard"];
    if (!s.is_object() || !s.contains("index") || !s.contains("count") ||
        !s["index"].is_number_unsigned() || !s["count"].is_number_unsigned())
      throw InputError({path}, "the shard entry needs index and count");
    m.shard.index = s["index"].get<size_t>();
    m.shard.count = s["count"].get<size_t>();
    j.erase("shard");
  }
  m.unsharded_text = j.dump(2) + "\n";
  return m;
}

void write_file_atomic(const std::string& path, std::string_view data) {
  write_file_atomic(path, std::span<const std::string_view>(&data, 1));
}

void write_file_atomic(const std::string& path, std::span<const std::string_view> pieces) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError({path}, fmt::format("cannot write: {}", std::strerror(errno)));
  // Up to 1,024 pieces a call (IOV_MAX); a short write resumes where it stopped.
  std::vector<iovec> io;
  for (size_t next = 0; next < pieces.size();) {
    io.clear();
    for (; next < pieces.size() && io.size() < 1024; ++next)
      if (!pieces[next].empty())
        io.push_back({const_cast<char*>(pieces[next].data()), pieces[next].size()});
    for (size_t first = 0; first < io.size();) {
      const ssize_t w = ::writev(fd, io.data() + first, static_cast<int>(io.size() - first));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ::close(fd);
        throw InputError({path}, fmt::format("cannot write: {}", std::strerror(errno)));
      }
      for (auto left = static_cast<size_t>(w); left > 0 && first < io.size();) {
        const size_t take = std::min(left, io[first].iov_len);
        io[first].iov_base = static_cast<char*>(io[first].iov_base) + take;
        io[first].iov_len -= take;
        left -= take;
        if (io[first].iov_len == 0) ++first;
      }
    }
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw InputError({path}, fmt::format("cannot rename into place: {}", std::strerror(errno)));
}

void write_definition_files(const std::string& dir, const std::string& manifest,
                            const std::string& definition, const std::string& sweep_file_text) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError({dir}, "cannot create the output directory: " + ec.message());
  write_file_atomic((fs::path(dir) / "definition.txt").string(), definition);
  write_file_atomic((fs::path(dir) / "sweep.yaml").string(), sweep_file_text);
  write_file_atomic((fs::path(dir) / "sweep.json").string(), manifest);  // last: it marks a sweep
}

std::map<std::string, size_t> write_sorted_results(
    const std::string& dir, const std::vector<std::string>& axes,
    std::vector<std::pair<size_t, std::string_view>> rows) {
  const auto by_point = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_point))  // a sweep's finish sorted them
    std::stable_sort(rows.begin(), rows.end(), by_point);
  std::map<std::string, size_t> counts;
  CsvLayout layout(axes);
  std::string jsonl;
  size_t bytes = 0;
  for (const auto& row : rows) bytes += row.second.size() + 1;
  jsonl.reserve(bytes);
  for (const auto& [point, line] : rows) {
    const std::optional<RowCells> r = parse_row(line, axes);
    if (!r) continue;
    layout.add(*r);
    ++counts[r->status];
    jsonl.append(line);
    jsonl += '\n';
  }
  std::string csv = layout.header();
  csv.reserve(bytes / 2);  // CSV lines are about a third of their JSON rows
  for (const auto& [point, line] : rows)
    if (const std::optional<RowCells> r = parse_row(line, axes)) csv += layout.line(*r);
  write_file_atomic((fs::path(dir) / "results.jsonl").string(), jsonl);
  write_file_atomic((fs::path(dir) / "results.csv").string(), csv);
  return counts;
}

}  // namespace socsim
