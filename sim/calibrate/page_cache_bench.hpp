// Microbenchmarks of how this machine pages an mmapped file in from its disk, the path llama.cpp's
// default mmap loading takes when the weights do not stay in memory. Measured, in a temp file:
// - the kernel's mmap read-around window for the file's block device (sysfs read_ahead_kb);
// - page-fault scan throughput of a cold file with 1 and 2 threads, matrix by matrix (16 MiB each),
//   each thread faulting through its own share of every matrix's rows with a barrier after each
//   (as llama.cpp's threads split a matrix's rows);
// - the page cache's keep share under a cyclic scan larger than the cache: a child process in a
//   memory cgroup limited to half the file scans it repeatedly; keep = 1 if the half that fits
//   stays resident from pass to pass, 0 if every pass misses everything (pure LRU). Needs a
//   writable cgroup (v1 or v2) and root; otherwise `keep_measured` is false with the reason.
#pragma once

#include <cstdint>
#include <string>

namespace socsim::calibrate {

struct PageCacheBench {
  double read_around = 128 * 1024;      // bytes per fault: the device's read_ahead_kb
  double scan_bw_1 = 0, scan_bw_2 = 0;  // cold page-fault scan, 1 and 2 threads (B/s)
  double capacity = 0;                  // the file system's size (statvfs)
  double keep = 1;                      // share of the fitting part kept across cyclic passes
  bool keep_measured = false;
  std::string keep_note;  // how keep was measured, or why it could not be
  std::string device;     // the block device holding the file (e.g. vda)
};

// The mmap read-around window of the block device holding `path` (bytes); 128 KiB when sysfs
// does not say.
double read_around_bytes(const std::string& path, std::string* device = nullptr);

// Runs the benchmarks on a `bytes`-sized file in `dir` (removed afterwards).
PageCacheBench bench_page_cache(const std::string& dir, int64_t bytes);

// A memory cgroup limited to `limit` bytes (v1 or v2), removed with the object. Throws
// std::runtime_error with the reason when none can be created (not root, no writable memory
// controller).
class MemoryCgroup {
 public:
  explicit MemoryCgroup(double limit);
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;
  // A shell command that moves itself into the cgroup and then execs `command`.
  std::string wrap(const std::string& command) const;
  // Moves the calling process into the cgroup.
  void enter() const;

 private:
  std::string dir_;
};

// True when a memory cgroup can be created here; otherwise false with the reason in *why.
bool memory_cgroup_available(std::string* why);

// Drops a file's pages from the page cache (posix_fadvise DONTNEED; no root needed).
void drop_file_cache(const std::string& path);

}  // namespace socsim::calibrate
