// `socsim sweep` and `socsim merge` end to end, on experiments/sweeps/small.yaml (14 points, one of
// them infeasible): outputs byte-identical whatever -j, rows bit-identical to `socsim run --json`
// of the same point, kill -9 or a full disk mid-sweep then resume, shards run in parallel then
// merged, crashed workers (through the SOCSIM_SWEEP_TEST_* hooks), and the refusals (bad sweep
// files, another sweep in the output directory, shards that do not fit together), each with its
// exit code.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/unit/socsim_runner.hpp"

namespace socsim::testing {
namespace {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

const std::string kSmall = std::string(SOCSIM_DATA_DIR) + "/experiments/sweeps/small.yaml";
constexpr size_t kSmallPoints = 14;

// A temporary directory removed at the end of the test.
struct TempDir {
  fs::path path = temp_path("sweep");
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

ProcessResult socsim(const Args& args, const std::string& env = "") {
  return run_socsim(args, env);
}

// Starts `socsim sweep FILE --out DIR extra...` in the background; returns its pid.
pid_t start_sweep(const std::string& file, const std::string& dir, const Args& extra,
                  const std::string& delay_ms = "") {
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!delay_ms.empty()) ::setenv("SOCSIM_SWEEP_TEST_DELAY_MS", delay_ms.c_str(), 1);
    std::vector<std::string> a = {SOCSIM_BINARY, "sweep", file, "--out", dir, "--quiet"};
    a.insert(a.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(SOCSIM_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t count_lines(const std::string& path) {
  const std::string t = read_text(path);
  return static_cast<size_t>(std::count(t.begin(), t.end(), '\n'));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// The reference: the small sweep, uninterrupted, one worker.
struct Reference {
  TempDir dir;
  std::string jsonl, csv, manifest;
  Reference() {
    const ProcessResult r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-j", "1", "-q"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");  // --quiet
    jsonl = read_text(dir / "results.jsonl");
    csv = read_text(dir / "results.csv");
    manifest = read_text(dir / "sweep.json");
  }
  void expect_same(const TempDir& other) const {
    EXPECT_EQ(read_text(other / "results.jsonl"), jsonl);
    EXPECT_EQ(read_text(other / "results.csv"), csv);
    EXPECT_EQ(read_text(other / "sweep.json"), manifest);
  }
};

nlohmann::json row(const std::string& jsonl, size_t point) {
  return parse_json(lines_of(jsonl).at(point));
}

}  // namespace

TEST(SweepCli, RowsAreSortedCompleteAndIndependentOfJobs) {
  const Reference ref;
  const std::vector<std::string> rows = lines_of(ref.jsonl);
  ASSERT_EQ(rows.size(), kSmallPoints);
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(parse_json(rows[i])["point"], i);
  EXPECT_EQ(lines_of(ref.csv).size(), kSmallPoints + 1);
  EXPECT_EQ(ref.csv.rfind("point,hw,policy.chunk_size,hw.npu.clock,policy.outlier_prune_rate,"
                          "policy,workload.memory,status,message,",
                          0),
            0u)
      << ref.csv.substr(0, 200);
  EXPECT_EQ(ref.jsonl.find("sim_wall_s"), std::string::npos);
  TempDir j2;
  const ProcessResult r = socsim({"sweep", kSmall, "--out", j2.path.string(), "-j", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("sweep small: 14 points: 13 ok, 1 infeasible; ran 14 in "),
            std::string::npos)
      << r.err;
  ref.expect_same(j2);
}

TEST(SweepCli, InfeasiblePointIsARowWithItsMessage) {
  const Reference ref;
  const nlohmann::json r = row(ref.jsonl, 13);
  EXPECT_EQ(r["status"], "infeasible");
  EXPECT_EQ(r["axes"]["hw"], "redmi-k60-pro");
  EXPECT_EQ(r["axes"]["workload.memory"], "1GB");
  EXPECT_NE(r["message"].get<std::string>().find("does not fit in memory"), std::string::npos);
  EXPECT_TRUE(r["result"].empty());
  EXPECT_EQ(row(ref.jsonl, 12)["status"], "ok");
}

// Every result of a row equals `socsim run --json` of the same point, bit for bit.
TEST(SweepCli, RowsAreBitIdenticalToSocsimRun) {
  const Reference ref;
  for (size_t point : {0u, 7u, 11u, 12u}) {
    const nlohmann::json r = row(ref.jsonl, point);
    Args args = {"run",      "--hw",  "redmi-k70-pro",      "--model", "qwen1.5-1.8b",   "--policy",
                 "mllm-npu", "--set", "workload.prompt=64", "--set",   "workload.gen=1", "--json",
                 "-"};
    for (const auto& [path, value] : r["axes"].items()) {
      const std::string v = value.get<std::string>();
      if (v.empty()) continue;
      if (path == "hw" || path == "policy") {
        args[path == "hw" ? 2 : 6] = v;
      } else {
        args.push_back("--set");
        args.push_back(path + "=" + v);
      }
    }
    const ProcessResult run = socsim(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const nlohmann::json j = parse_json(run.out);
    const nlohmann::json& result = r["result"];
    size_t compared = 0;
    for (const auto& [key, value] : j.items()) {
      if (key == "sim_wall_s") continue;
      auto check = [&](const std::string& k, const nlohmann::json& v) {
        ASSERT_TRUE(result.contains(k)) << "point " << point << ": no " << k;
        if (v.is_number())
          EXPECT_EQ(result[k].get<double>(), v.get<double>()) << "point " << point << ": " << k;
        else
          EXPECT_EQ(result[k], v) << k;
        ++compared;
      };
      if (value.is_object())
        for (const auto& [sub, v] : value.items()) check(key + "." + sub, v);
      else
        check(key, value);
    }
    EXPECT_EQ(compared, result.size()) << "point " << point;
  }
}

TEST(SweepCli, KilledMidSweepThenResumedGivesTheSameOutputs) {
  const Reference ref;
  TempDir dir;
  const pid_t pid = start_sweep(kSmall, dir.path.string(), {"-j", "2"}, "40");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (count_lines(dir / "results.jsonl") < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  wait_exit(pid);
  const size_t at_kill = count_lines(dir / "results.jsonl");
  EXPECT_GE(at_kill, 4u);
  ASSERT_LT(at_kill, kSmallPoints) << "the sweep ended before it was killed";
  // A write torn by the kill: a partial last row, which the resume must cut off.
  std::ofstream(dir / "results.jsonl", std::ios::app) << R"({"point":3,"axes":{"hw":"red)";
  const ProcessResult r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-j", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(std::to_string(at_kill) + " of 14 points already done"), std::string::npos)
      << r.err;
  ref.expect_same(dir);
  // Running a finished sweep again changes nothing.
  ASSERT_EQ(socsim({"sweep", kSmall, "--out", dir.path.string(), "-q"}).exit_code, 0);
  ref.expect_same(dir);
}

TEST(SweepCli, ShardsRunInParallelThenMergedEqualTheWholeSweep) {
  const Reference ref;
  TempDir s1, s2, s3, merged;
  std::vector<pid_t> pids;
  for (auto [i, dir] : {std::pair{1, &s1}, std::pair{2, &s2}, std::pair{3, &s3}})
    pids.push_back(
        start_sweep(kSmall, dir->path.string(), {"-j", "1", "--shard", std::to_string(i) + "/3"}));
  for (pid_t p : pids) ASSERT_EQ(wait_exit(p), 0);
  // Shard 2/3 holds points 1, 4, 7, 10, 13.
  const std::vector<std::string> rows = lines_of(read_text(s2 / "results.jsonl"));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(parse_json(rows[4])["point"], 13);
  EXPECT_NE(read_text(s2 / "sweep.json").find("\"rule\": \"point % count == index - 1\""),
            std::string::npos);
  const ProcessResult m =
      socsim({"merge", merged.path.string(), s3.path.string(), s1.path.string(), s2.path.string()});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(m.err, "merge small: 14 points: 13 ok, 1 infeasible from 3 shard(s) -> " +
                       merged.path.string() + "/results.csv\n");
  ref.expect_same(merged);
  EXPECT_EQ(read_text(merged / "definition.txt"), read_text(ref.dir / "definition.txt"));

  TempDir out;
  ProcessResult e = socsim({"merge", out.path.string(), s1.path.string(), s3.path.string()});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_NE(e.err.find("cannot merge: 5 of 14 points missing (1, 4, 7, 10, 13); no shard 2/3 "
                       "was given"),
            std::string::npos)
      << e.err;
  e = socsim({"merge", out.path.string(), s1.path.string(), s2.path.string(), s1.path.string()});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_NE(
      e.err.find("overlaps " + s1.path.string() + ": 5 point(s) are in both (0, 3, 6, 9, 12)"),
      std::string::npos)
      << e.err;
  // An incomplete shard: its last row lost.
  std::string t = read_text(s3 / "results.jsonl");
  t.erase(t.rfind('\n', t.size() - 2) + 1);
  std::ofstream(s3 / "results.jsonl", std::ios::trunc) << t;
  e = socsim({"merge", out.path.string(), s1.path.string(), s2.path.string(), s3.path.string()});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_NE(e.err.find("1 of 14 points missing (11); " + s3.path.string() +
                       " (shard 3/3) is incomplete: 1 of its 4 points missing"),
            std::string::npos)
      << e.err;
}

TEST(SweepCli, MergeRefusesShardsOfDifferentSweeps) {
  TempDir a, b, out;
  const std::string other = b / "other.yaml";
  fs::create_directories(b.path);
  std::string text = read_text(kSmall);
  text.replace(text.find("[32, 64]"), 8, "[32, 128]");
  std::ofstream(other) << text;
  ASSERT_EQ(socsim({"sweep", kSmall, "--out", a.path.string(), "--shard", "1/2", "-q"}).exit_code,
            0);
  ASSERT_EQ(socsim({"sweep", other, "--out", b / "o", "--shard", "2/2", "-q"}).exit_code, 0);
  const ProcessResult e = socsim({"merge", out.path.string(), a.path.string(), b / "o"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_NE(e.err.find("is a shard of another sweep"), std::string::npos) << e.err;
}

TEST(SweepCli, ACrashingWorkerIsRetriedThenItsPointRecordedAsCrashed) {
  const Reference ref;
  TempDir dir;
  // Point 3 kills its worker every time; point 5 only the first time.
  const ProcessResult r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-j", "2", "-q"},
                                 "SOCSIM_SWEEP_TEST_CRASH=3 SOCSIM_SWEEP_TEST_CRASH_ONCE=5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> got = lines_of(read_text(dir / "results.jsonl"));
  const std::vector<std::string> want = lines_of(ref.jsonl);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (i == 3) continue;
    EXPECT_EQ(got[i], want[i]) << "point " << i;
  }
  const nlohmann::json crashed = parse_json(got[3]);
  EXPECT_EQ(crashed["status"], "crashed");
  EXPECT_EQ(crashed["message"], "the worker process was killed by signal 9 (Killed) (twice)");
  EXPECT_EQ(crashed["axes"], row(ref.jsonl, 3)["axes"]);
}

TEST(SweepCli, AHungPointIsKilledAfterThePointTimeoutAndRecorded) {
  const Reference ref;
  TempDir dir;
  // Point 4 never returns, on every attempt; the others must come out as usual.
  const ProcessResult r = socsim(
      {"sweep", kSmall, "--out", dir.path.string(), "-j", "2", "-q", "--point-timeout", "300ms"},
      "SOCSIM_SWEEP_TEST_HANG=4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> got = lines_of(read_text(dir / "results.jsonl"));
  const std::vector<std::string> want = lines_of(ref.jsonl);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (i == 4) continue;  // the hung point
    EXPECT_EQ(got[i], want[i]) << "point " << i;
  }
  const nlohmann::json hung = parse_json(got[4]);
  EXPECT_EQ(hung["status"], "crashed");
  EXPECT_EQ(hung["message"], "the point ran longer than the point timeout (0.3 s) (twice)");
  const ProcessResult bad =
      socsim({"sweep", kSmall, "--out", dir.path.string(), "--point-timeout", "3GB"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--point-timeout 3GB"), std::string::npos) << bad.err;
}

// The definition names the simulator build and the content of every input file: after an edit
// of a profile the same command is not a resume of the old results.
TEST(SweepCli, AnEditedInputFileIsAnotherSweep) {
  TempDir dir;
  fs::create_directories(dir.path);
  const std::string profile = dir / "phone.yaml";
  fs::copy_file(std::string(SOCSIM_DATA_DIR) + "/hwprofiles/redmi-k70-pro.yaml", profile);
  const std::string sweep = dir / "sweep.yaml";
  std::ofstream(sweep) << "name: edited\nbase:\n  hw: " << profile
                       << "\n  policy: mllm-npu\n  sets: {workload.prompt: 32, workload.gen: 1}\n"
                          "product:\n  policy.chunk_size: [32, 64]\n";
  const std::string out = dir / "out";
  ASSERT_EQ(socsim({"sweep", sweep, "--out", out, "-q"}).exit_code, 0);
  const std::string definition = read_text(out + "/definition.txt");
  EXPECT_NE(definition.find("\nsimulator\t"), std::string::npos) << definition;
  EXPECT_NE(definition.find("\ninput\t" + profile + "\t"), std::string::npos) << definition;
  EXPECT_NE(definition.find("\ninput\tmodels/qwen1.5-1.8b.yaml\t"), std::string::npos)
      << definition;  // shipped files relative to the data directory
  ASSERT_EQ(socsim({"sweep", sweep, "--out", out, "-q"}).exit_code, 0);  // unchanged: a resume
  std::ofstream(profile, std::ios::app) << "# edited\n";
  const ProcessResult r = socsim({"sweep", sweep, "--out", out, "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("holds results of another sweep"), std::string::npos) << r.err;
  EXPECT_EQ(socsim({"sweep", sweep, "--out", out, "-q", "--restart"}).exit_code, 0);
}

TEST(SweepCli, AnotherSweepInTheOutputDirectoryIsRefusedUnlessRestart) {
  TempDir dir;
  ASSERT_EQ(socsim({"sweep", kSmall, "--out", dir.path.string(), "-q"}).exit_code, 0);
  const std::string other = dir / "other.yaml";
  std::string text = read_text(kSmall);
  text.replace(text.find("name: small"), 11, "name: smaller");
  std::ofstream(other) << text;
  ProcessResult r = socsim({"sweep", other, "--out", dir.path.string(), "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir.path.string() + ": error: holds results of another sweep ('small', 14 "
                                           "points, definition "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("rerun with --restart to discard them"), std::string::npos);
  r = socsim({"sweep", other, "--out", dir.path.string(), "-q", "--shard", "1/2"});
  EXPECT_EQ(r.exit_code, 2) << "a shard of the same directory is another output";
  r = socsim({"sweep", other, "--out", dir.path.string(), "-q", "--restart"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_text(dir / "sweep.json").find("\"name\": \"smaller\""), std::string::npos);
}

TEST(SweepCli, ASecondSweepOnADirectoryInUseIsRefused) {
  TempDir dir;
  std::filesystem::create_directories(dir.path);
  // This test holds the directory's lock as a running sweep would.
  const int fd = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ASSERT_EQ(::write(fd, "4242", 4), 4);
  ProcessResult r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir.path.string() +
                       ": error: another sweep (process 4242) is writing to this directory"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "results.jsonl")) << "nothing was written";
  ::close(fd);  // the holder ends: the lock is free
  r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(SweepCli, AFullDiskStopsTheSweepWithItsErrorAndTheDirectoryResumes) {
  // The results file may grow to about half its final size (RLIMIT_FSIZE: a write past it fails
  // with EFBIG, through the same write() error path as ENOSPC on a full disk).
  const Reference ref;
  TempDir dir;
  const size_t limit = ref.jsonl.size() / 2;
  ASSERT_GT(limit, ref.manifest.size());
  const std::string env = "trap '' XFSZ; exec prlimit --fsize=" + std::to_string(limit);
  ProcessResult r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-j", "2", "-q"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(dir / "results.jsonl" + ": error: cannot append: File too large; the rows "
                                               "written so far are kept: make room, then run the "
                                               "same command to resume"),
            std::string::npos)
      << r.err;
  const size_t kept = count_lines(dir / "results.jsonl");
  EXPECT_GE(kept, 1u);
  EXPECT_LT(kept, kSmallPoints);
  // Room again: the same command resumes from the rows that were written.
  r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-j", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(std::to_string(kept) + " of 14 points already done"), std::string::npos)
      << r.err;
  ref.expect_same(dir);
}

TEST(SweepCli, ADamagedResultsFileIsRefusedOnResumeWithItsLine) {
  TempDir dir;
  ASSERT_EQ(socsim({"sweep", kSmall, "--out", dir.path.string(), "-q"}).exit_code, 0);
  std::string rows = read_text(dir / "results.jsonl");
  const size_t second = rows.find('\n') + 1;
  rows.replace(second, 10, "#garbage#");  // line 2 no longer parses
  std::ofstream(dir / "results.jsonl", std::ios::trunc) << rows;
  ProcessResult r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir / "results.jsonl" +
                       ":2:1: error: not a result row of this sweep (the file is damaged)"),
            std::string::npos)
      << r.err;
  r = socsim({"sweep", kSmall, "--out", dir.path.string(), "-q", "--restart"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(SweepCli, BadValuesAreReportedUpFrontWithTheirLocation) {
  TempDir dir;
  fs::create_directories(dir.path);
  const std::string file = dir / "bad.yaml";
  std::ofstream(file) << "name: bad\n"
                         "base:\n"
                         "  policy: mllm-npu\n"
                         "product:\n"
                         "  hw.npu.clock: [500MHz, 5XHz, 9000MHz]\n"
                         "  policy.chunk_sze: [1, 2]\n";
  const ProcessResult r = socsim({"sweep", file, "--out", dir / "out"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            file +
                ":5:26: error: product.hw.npu.clock: 5XHz: npu.clock: unknown unit 'XHz' for "
                "a frequency (expected e.g. 3.3GHz)\n" +
                file +
                ":5:32: error: product.hw.npu.clock: 9000MHz: npu.clock: 9GHz is outside "
                "the DVFS range 500MHz..750MHz\n" +
                file +
                ":6:22: error: product.policy.chunk_sze: 1: unknown parameter "
                "'policy.chunk_sze'; did you mean 'policy.chunk_size'?\n"
                "socsim: 3 error(s) in the input\n");
  EXPECT_FALSE(fs::exists(dir / "out")) << "nothing is written for a sweep that cannot run";
  std::ofstream(file, std::ios::trunc) << "name: typo\nbase: {}\nprodcut: {hw: [oneplus-12]}\n";
  const ProcessResult typo = socsim({"sweep", file, "--out", dir / "out"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_EQ(typo.err, file +
                          ":3:1: error: unknown key 'prodcut'; did you mean 'product'?\n"
                          "socsim: 1 error(s) in the input\n");
  EXPECT_EQ(socsim({"sweep", kSmall, "--out", dir / "o", "--shard", "3/2"}).exit_code, 2);
}

}  // namespace socsim::testing
