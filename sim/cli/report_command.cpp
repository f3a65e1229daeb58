// `socsim report DIR`: one self-contained HTML page of a sweep or reproduction directory. The page
// is drawn by analysis/report.py (Debian's python3 with pandas and matplotlib), which reads only
// socsim's output files; this command finds the interpreter and the script, checks the directory
// up front, and passes the script's exit code on (2 = unreadable outputs).
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"

namespace socsim::cli {
namespace {

namespace fs = std::filesystem;

struct ReportOptions {
  std::string dir, out;
  std::vector<std::string> traces;
  std::string objectives;
};

// Debian's interpreter first: the one with the packaged pandas and matplotlib.
std::string find_python() {
  for (const char* p : {"/usr/bin/python3", "/usr/local/bin/python3"})
    if (access(p, X_OK) == 0) return p;
  return "python3";  // left to PATH
}

int run_script(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("report: fork failed");
  if (pid == 0) {
    execvp(args[0], args.data());
    std::fprintf(stderr,
                 "socsim: error: cannot run %s (install python3-pandas and "
                 "python3-matplotlib)\n",
                 args[0]);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  throw std::runtime_error(fmt::format("report: {} ended by signal {}", argv[1],
                                       WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

void report(const ReportOptions& o, int& exit_code) {
  if (!fs::is_directory(o.dir)) throw InputError({o.dir}, "not a directory");
  for (const std::string& t : o.traces)
    if (!fs::is_regular_file(t)) throw InputError({"--trace " + t}, "no such file");
  const fs::path script = fs::path(SOCSIM_DATA_DIR) / "analysis" / "report.py";
  if (!fs::is_regular_file(script))
    throw std::runtime_error(fmt::format("report: {} is missing", script.string()));
  std::vector<std::string> argv{find_python(), script.string(), o.dir};
  if (!o.out.empty()) argv.insert(argv.end(), {"-o", o.out});
  for (const std::string& t : o.traces) argv.insert(argv.end(), {"--trace", t});
  if (!o.objectives.empty()) argv.insert(argv.end(), {"--objectives", o.objectives});
  exit_code = run_script(argv);
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report",
      "write one self-contained HTML page (tables and charts) of a sweep directory or "
      "of reproduction CSVs");
  sub->add_option("dir", o->dir, "sweep output directory, or a directory of reproduce CSVs")
      ->required();
  sub->add_option("-o,--out", o->out, "HTML file (default DIR/report.html)");
  sub->add_option("--trace", o->traces, "a trace JSON (socsim run --trace) to draw as a Gantt");
  sub->add_option("--objectives", o->objectives,
                  "Pareto objectives, result columns, minimised unless NAME:max "
                  "(default ttft_s,energy_j,peak_memory_bytes)");
  sub->callback([o, &exit_code] { report(*o, exit_code); });
}

}  // namespace socsim::cli
