// Timing in a forked child, shared by the benchmarks: SimGrid 3.32 leaves static handlers and its
// clock behind every engine, slowing each later engine of a process, so each timed iteration runs
// in a fresh child (as sweeps and `socsim reproduce` do) and reports its wall time to the parent.
#pragma once

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>

namespace socsim::bench {

// Runs fn in a forked child and returns the wall seconds it measured around fn.
inline double time_in_child(const std::function<void()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  malloc_trim(0);  // freed parent memory goes back to the OS: the child starts like a fresh process
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const ssize_t w = write(fds[1], &s, sizeof s);
    _exit(w == sizeof s ? 0 : 1);
  }
  close(fds[1]);
  double s = -1;
  const ssize_t r = read(fds[0], &s, sizeof s);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (r != sizeof s || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("benchmark child failed");
  return s;
}

}  // namespace socsim::bench
