// Runs the built socsim executable (SOCSIM_BINARY) as a child process for the end-to-end tests:
// arguments are shell-quoted, stdout and stderr are captured through temporary files, and the exit
// code is decoded. Also small helpers to parse the JSON it prints.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace socsim::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if the process did not exit normally (signal)
  std::string out, err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A fresh path in the temporary directory, unique per process and call (tests run in parallel).
inline std::filesystem::path temp_path(const std::string& stem) {
  static std::atomic<int> counter{0};
  return std::filesystem::temp_directory_path() / ("socsim_test_" + std::to_string(::getpid()) +
                                                   "_" + std::to_string(counter++) + "_" + stem);
}

// Removes a temporary file when it goes out of scope.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& stem) : path(temp_path(stem)) {}
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string str() const { return path.string(); }
};

// Runs `socsim args...` (with `env`, "NAME=value ...", in front) and returns its exit code and
// output.
inline ProcessResult run_socsim(const std::vector<std::string>& args, const std::string& env = "") {
  TempFile out("stdout.txt"), err("stderr.txt");
  std::string cmd = (env.empty() ? "" : env + " ") + shell_quote(SOCSIM_BINARY);
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(out.str()) + " 2>" + shell_quote(err.str()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out.path);
  r.err = read_text(err.path);
  return r;
}

// Parses JSON text; a discarded value (is_discarded()) if it is not valid JSON.
inline nlohmann::json parse_json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// |a - b| <= rel * max(|a|, |b|): relative comparison that treats two zeros as equal.
inline bool near_rel(double a, double b, double rel) {
  const double scale = std::max(std::abs(a), std::abs(b));
  return std::abs(a - b) <= rel * scale;
}

}  // namespace socsim::testing
