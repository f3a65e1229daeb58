// Page-cache and disk microbenchmarks; see page_cache_bench.hpp.
#include "sim/calibrate/page_cache_bench.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace socsim::calibrate {
namespace fs = std::filesystem;
namespace {

// The matrix size of the scans: 16 MiB, a 4,096 x 4,096 Q8_0 matrix (7B-class attention
// projections; the FFN matrices of the same models are 2.7x larger, those of 2B models 2-4x
// smaller).
constexpr int64_t kMatrixBytes = int64_t{16} << 20;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string read_line(const fs::path& p) {
  std::ifstream f(p);
  std::string s;
  std::getline(f, s);
  return s;
}

bool write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  f.flush();
  return static_cast<bool>(f);
}

// Where new memory cgroups go, and whether it is cgroup v2.
std::string cgroup_root(bool* v2, std::string* why) {
  if (::geteuid() != 0) {
    if (why) *why = "memory cgroups need root";
    return {};
  }
  if (fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
    *v2 = false;
    return "/sys/fs/cgroup/memory";
  }
  if (read_line("/sys/fs/cgroup/cgroup.controllers").find("memory") != std::string::npos) {
    *v2 = true;
    return "/sys/fs/cgroup";
  }
  if (why) *why = "no memory cgroup controller under /sys/fs/cgroup";
  return {};
}

// Writes `bytes` of pseudo-random data (the content does not matter, only that it is on disk).
void write_file(const std::string& path, int64_t bytes) {
  std::ofstream f(path, std::ios::binary);
  std::vector<uint64_t> block(1 << 17);
  std::mt19937_64 rng(1);
  for (int64_t done = 0; done < bytes;) {
    for (uint64_t& w : block) w = rng();
    const int64_t n = std::min<int64_t>(bytes - done, static_cast<int64_t>(block.size() * 8));
    f.write(reinterpret_cast<const char*>(block.data()), n);
    done += n;
  }
  f.flush();
  if (!f) throw std::runtime_error("cannot write " + path);
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) ::fsync(fd), ::close(fd);
}

// Touches one byte per page of [0, bytes) of the mapping as llama.cpp's threads pass over
// weights: matrix by matrix (`block` bytes each, in file order), every thread faulting through
// its own contiguous share of each matrix's rows, all threads meeting at a barrier after each
// matrix. Returns the wall time.
double scan(const volatile unsigned char* base, int64_t bytes, int threads, int64_t block) {
  const int64_t page = ::sysconf(_SC_PAGESIZE);
  std::barrier sync(threads);
  const double t0 = now_s();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([=, &sync] {
      unsigned sum = 0;
      for (int64_t start = 0; start < bytes; start += block) {
        const int64_t n = std::min(block, bytes - start);
        const int64_t lo = start + n * t / threads / page * page;
        const int64_t hi = start + n * (t + 1) / threads / page * page;
        for (int64_t o = lo; o < hi; o += page) sum += base[o];
        sync.arrive_and_wait();
      }
      (void)sum;
    });
  for (auto& th : pool) th.join();
  return now_s() - t0;
}

struct Mapping {
  int fd = -1;
  void* base = MAP_FAILED;
  int64_t bytes = 0;
  Mapping(const std::string& path, int64_t n) : bytes(n) {
    fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    base = ::mmap(nullptr, static_cast<size_t>(n), PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) throw std::runtime_error("cannot mmap " + path);
  }
  ~Mapping() {
    if (base != MAP_FAILED) ::munmap(base, static_cast<size_t>(bytes));
    if (fd >= 0) ::close(fd);
  }
  const volatile unsigned char* data() const {
    return static_cast<const volatile unsigned char*>(base);
  }
};

double cold_scan_bw(const std::string& path, int64_t bytes, int threads) {
  drop_file_cache(path);
  Mapping m(path, bytes);
  return static_cast<double>(bytes) / scan(m.data(), bytes, threads, kMatrixBytes);
}

// Bytes this process has caused to be read from storage (/proc/self/io read_bytes).
double storage_read_bytes() {
  std::ifstream f("/proc/self/io");
  std::string key;
  double v = 0;
  while (f >> key >> v)
    if (key == "read_bytes:") return v;
  return -1;
}

// In a child process inside a cgroup of half the file: a cold pass, then cyclic passes, each
// counted in bytes read from storage; the child reports the median cyclic pass's reads and time
// and the cold pass's time through a pipe.
bool measure_keep(const std::string& path, int64_t bytes, PageCacheBench& b) {
  std::string why;
  if (!memory_cgroup_available(&why)) {
    b.keep_note = "not measured (" + why + "); assumption: 1, the share that fits stays resident";
    return false;
  }
  drop_file_cache(path);
  std::optional<MemoryCgroup> made;
  try {
    made.emplace(static_cast<double>(bytes) / 2);
  } catch (const std::exception& e) {
    b.keep_note = std::string("not measured (") + e.what() + "); assumption: 1";
    return false;
  }
  const MemoryCgroup& cg = *made;
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    double r[3] = {-1, -1, -1};
    try {
      cg.enter();
      Mapping m(path, bytes);
      r[0] = scan(m.data(), bytes, 1, kMatrixBytes);
      std::vector<std::pair<double, double>> passes;  // (bytes read, seconds)
      for (int p = 0; p < 3; ++p) {
        const double before = storage_read_bytes();
        const double t = scan(m.data(), bytes, 1, kMatrixBytes);
        passes.emplace_back(storage_read_bytes() - before, t);
      }
      std::sort(passes.begin(), passes.end());
      if (storage_read_bytes() >= 0) r[1] = passes[1].first, r[2] = passes[1].second;
    } catch (...) {
    }
    (void)!::write(fds[1], r, sizeof r);
    ::_exit(0);
  }
  ::close(fds[1]);
  double r[3] = {-1, -1, -1};
  const ssize_t got = ::read(fds[0], r, sizeof r);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (got != sizeof r || r[0] <= 0 || r[1] < 0) {
    b.keep_note = "not measured (the cgroup scan failed); assumption: 1";
    return false;
  }
  // Half the file fits: keeping it would halve a pass's reads.
  const double miss = r[1] / static_cast<double>(bytes);
  b.keep = std::clamp(2 * (1 - miss), 0.0, 1.0);
  b.keep_note = fmt::format(
      "measured: a {:.0f} MB file scanned cyclically in a {:.0f} MB memory cgroup reads {:.0f} MB "
      "from disk per pass ({:.2f} s; /proc/self/io read_bytes)",
      bytes / 1e6, bytes / 2e6, r[1] / 1e6, r[2]);
  return true;
}

}  // namespace

void drop_file_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

bool memory_cgroup_available(std::string* why) {
  bool v2 = false;
  const std::string root = cgroup_root(&v2, why);
  if (root.empty()) return false;
  if (::access(root.c_str(), W_OK) != 0) {
    if (why) *why = root + " is not writable";
    return false;
  }
  return true;
}

MemoryCgroup::MemoryCgroup(double limit) {
  bool v2 = false;
  std::string why;
  const std::string root = cgroup_root(&v2, &why);
  if (root.empty()) throw std::runtime_error(why);
  static int serial = 0;
  dir_ = fmt::format("{}/socsim-{}-{}", root, ::getpid(), serial++);
  std::error_code ec;
  fs::create_directory(dir_, ec);
  if (ec) throw std::runtime_error("cannot create the memory cgroup " + dir_ + ": " + ec.message());
  const std::string value = fmt::format("{}", static_cast<int64_t>(limit));
  if (!write_text(fs::path(dir_) / (v2 ? "memory.max" : "memory.limit_in_bytes"), value)) {
    ::rmdir(dir_.c_str());
    throw std::runtime_error("cannot set the memory limit of " + dir_);
  }
  if (v2) write_text(fs::path(dir_) / "memory.swap.max", "0");
}

MemoryCgroup::~MemoryCgroup() {
  // The processes have exited; a v1 group with cached pages still charged can be removed (they move
  // to the parent). Retry briefly while the kernel finishes the exit.
  for (int i = 0; i < 50 && ::rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::string MemoryCgroup::wrap(const std::string& command) const {
  return fmt::format("sh -c 'echo $$ > {}/cgroup.procs && exec \"$0\" \"$@\"' {}", dir_, command);
}

void MemoryCgroup::enter() const {
  if (!write_text(fs::path(dir_) / "cgroup.procs", std::to_string(::getpid())))
    throw std::runtime_error("cannot enter the memory cgroup " + dir_);
}

double read_around_bytes(const std::string& path, std::string* device) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 128 * 1024;
  const fs::path dev = fmt::format("/sys/dev/block/{}:{}", major(st.st_dev), minor(st.st_dev));
  for (const fs::path& q : {dev / "queue/read_ahead_kb", dev / "../queue/read_ahead_kb"}) {
    const std::string s = read_line(q);
    if (!s.empty()) {
      if (device) {
        std::error_code ec;
        *device = fs::canonical(dev, ec).filename().string();
      }
      return std::max(4.0, std::atof(s.c_str())) * 1024;
    }
  }
  return 128 * 1024;
}

PageCacheBench bench_page_cache(const std::string& dir, int64_t bytes) {
  PageCacheBench b;
  const std::string path = (fs::path(dir) / fmt::format("socsim-pagecache-{}.bin", ::getpid()));
  write_file(path, bytes);
  try {
    b.read_around = read_around_bytes(path, &b.device);
    struct statvfs vfs {};
    if (::statvfs(path.c_str(), &vfs) == 0)
      b.capacity = static_cast<double>(vfs.f_blocks) * static_cast<double>(vfs.f_frsize);
    std::vector<double> one, two;
    for (int r = 0; r < 5; ++r) {
      one.push_back(cold_scan_bw(path, bytes, 1));
      two.push_back(cold_scan_bw(path, bytes, 2));
    }
    std::sort(one.begin(), one.end());
    std::sort(two.begin(), two.end());
    b.scan_bw_1 = one[2], b.scan_bw_2 = two[2];  // medians of 5
    b.keep_measured = measure_keep(path, bytes, b);
  } catch (...) {
    fs::remove(path);
    throw;
  }
  fs::remove(path);
  return b;
}

}  // namespace socsim::calibrate
