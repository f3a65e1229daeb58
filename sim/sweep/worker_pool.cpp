// Fork-per-batch worker pool; see worker_pool.hpp.
#include "sim/sweep/worker_pool.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <set>
#include <stdexcept>
#include <thread>

#include "sim/sweep/result_row.hpp"

namespace socsim {
namespace {

using Clock = std::chrono::steady_clock;

struct Batch {
  std::vector<size_t> points;
  int attempt = 0;  // 1: a retry after a child died; rows are then written one by one
};

struct Child {
  pid_t pid = -1;
  int fd = -1;
  Batch batch;
  std::set<size_t> reported;
  std::string partial;              // an incomplete line read so far
  Clock::time_point last_progress;  // spawn or the last row read
  Clock::time_point started;
  bool timed_out = false;  // killed for exceeding the point timeout
};

struct TestHooks {
  std::set<size_t> crash, crash_once, hang;
  int delay_ms = 0;

  static std::set<size_t> list(const char* name) {
    std::set<size_t> out;
    const char* v = std::getenv(name);
    for (const char* p = v; p && *p;) {
      char* end = nullptr;
      const unsigned long long x = std::strtoull(p, &end, 10);
      if (end == p) break;
      out.insert(x);
      p = *end == ',' ? end + 1 : end;
    }
    return out;
  }
  static TestHooks from_env() {
    TestHooks h{list("SOCSIM_SWEEP_TEST_CRASH"), list("SOCSIM_SWEEP_TEST_CRASH_ONCE"),
                list("SOCSIM_SWEEP_TEST_HANG"), 0};
    if (const char* d = std::getenv("SOCSIM_SWEEP_TEST_DELAY_MS")) h.delay_ms = std::atoi(d);
    return h;
  }
};

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= static_cast<size_t>(w);
  }
  return true;
}

[[noreturn]] void child_main(int fd, pid_t parent, const Batch& batch, const PoolCallbacks& cb,
                             const TestHooks& hooks) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a killed sweep
  if (::getppid() != parent) ::_exit(3);
  std::signal(SIGPIPE, SIG_IGN);
  std::string buf;
  auto last_flush = Clock::now();
  const auto flush = [&] {
    if (!write_all(fd, buf.data(), buf.size())) ::_exit(4);  // the parent is gone
    buf.clear();
    last_flush = Clock::now();
  };
  for (size_t p : batch.points) {
    if (hooks.crash.count(p) || (batch.attempt == 0 && hooks.crash_once.count(p))) ::raise(SIGKILL);
    if (hooks.hang.count(p)) {
      flush();  // what came before is reported; then never return
      for (;;) ::pause();
    }
    if (hooks.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hooks.delay_ms));
    buf += cb.run(p);
    buf += '\n';
    if (batch.attempt > 0 || buf.size() >= (16u << 10) ||
        Clock::now() - last_flush >= std::chrono::milliseconds(20))
      flush();
  }
  flush();
  ::close(fd);
  ::_exit(0);
}

std::string exit_text(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::strsignal(sig);
    return fmt::format("the worker process was killed by signal {} ({})", sig,
                       name ? name : "unknown");
  }
  if (WIFEXITED(status))
    return fmt::format("the worker process exited with status {} before reporting the point",
                       WEXITSTATUS(status));
  return "the worker process ended abnormally";
}

class Pool {
 public:
  Pool(const PoolOptions& o, const PoolCallbacks& cb) : opt_(o), cb_(cb) {}

  PoolStats stats() const { return stats_; }

  void run(const std::vector<size_t>& points) {
    const size_t jobs = static_cast<size_t>(std::max(1, opt_.jobs));
    pending_.assign(points.begin(), points.end());
    hooks_ = TestHooks::from_env();
    while (!pending_.empty() || !retries_.empty() || !children_.empty()) {
      while (children_.size() < jobs && (!pending_.empty() || !retries_.empty())) {
        if (!retries_.empty()) {
          spawn(std::move(retries_.front()));
          retries_.pop_front();
          continue;
        }
        // Guided batches: a share of what is left, so that the workers finish together, but no
        // fewer points than keep a child busy for kMinChildSeconds at the rate measured so far.
        const size_t most = std::max<size_t>(1, opt_.batch);
        const size_t n = std::min(std::clamp<size_t>((pending_.size() + 2 * jobs - 1) / (2 * jobs),
                                                     std::min(least_points(), most), most),
                                  pending_.size());
        Batch b{{pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n)}, 0};
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
        spawn(std::move(b));
      }
      wait_and_read();
      if (cb_.tick) cb_.tick();
    }
  }

 private:
  void spawn(Batch b) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe() failed");
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork() failed: ") + std::strerror(errno));
    if (pid == 0) {
      ::close(fds[0]);
      for (const Child& c : children_) ::close(c.fd);
      child_main(fds[1], parent, b, cb_, hooks_);
    }
    ::close(fds[1]);
    ++stats_.children;
    children_.push_back({pid, fds[0], std::move(b), {}, {}, Clock::now(), Clock::now(), false});
  }

  void wait_and_read() {
    std::vector<pollfd> fds;
    for (const Child& c : children_) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR)
      throw std::runtime_error("poll() failed");
    std::vector<size_t> ended;
    for (size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0 && !read_child(children_[i])) ended.push_back(i);
    if (opt_.point_timeout_s > 0) {  // a silent child past the limit: kill it (EOF follows)
      const auto limit = std::chrono::duration<double>(opt_.point_timeout_s);
      for (Child& c : children_)
        if (!c.timed_out && Clock::now() - c.last_progress > limit) {
          ::kill(c.pid, SIGKILL);
          c.timed_out = true;
        }
    }
    for (size_t k = ended.size(); k-- > 0;) {
      Child c = std::move(children_[ended[k]]);
      children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(ended[k]));
      finish(c);
    }
  }

  // Reads what the child wrote; false at end of file.
  bool read_child(Child& c) {
    char buf[1 << 16];
    const ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    c.partial.append(buf, static_cast<size_t>(n));
    const size_t end = c.partial.rfind('\n');
    if (end == std::string::npos) return true;
    std::vector<size_t> points;
    std::string_view lines(c.partial.data(), end + 1);
    for (size_t pos = 0; pos < lines.size();) {
      const size_t nl = lines.find('\n', pos);
      size_t p = 0;
      if (!row_point(lines.substr(pos, nl - pos), p))
        throw std::logic_error("a sweep worker wrote a malformed row");
      points.push_back(p);
      c.reported.insert(p);
      pos = nl + 1;
    }
    cb_.rows(points, lines);
    c.partial.erase(0, end + 1);
    c.last_progress = Clock::now();
    return true;
  }

  void finish(Child& c) {
    ::close(c.fd);
    int status = 0;
    while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::vector<size_t> missing;
    for (size_t p : c.batch.points)
      if (!c.reported.count(p)) missing.push_back(p);
    if (missing.empty()) {
      child_seconds_ += std::chrono::duration<double>(Clock::now() - c.started).count();
      child_points_ += c.batch.points.size();
      return;
    }
    const std::string why = c.timed_out
                                ? fmt::format("the point ran longer than the point timeout ({} s)",
                                              opt_.point_timeout_s)
                                : exit_text(status);
    if (c.batch.attempt == 0) {  // run what was not reported once more, in a fresh child
      retries_.push_front({std::move(missing), 1});
      return;
    }
    cb_.crashed(missing.front(), why + " (twice)");  // rows were reported one by one
    if (missing.size() > 1) retries_.push_front({{missing.begin() + 1, missing.end()}, 1});
  }

  // A child costs a fork and its copy-on-write page faults (about 1,400 pages at 9 us each on a
  // 2-vCPU VM, both measured before the heap was on huge pages: some 13 ms); batches of points
  // that take a fraction of a millisecond each would otherwise shrink to a point or two at the
  // end of a sweep, a fork each. Until a child has finished, any batch size goes.
  static constexpr double kMinChildSeconds = 0.05;
  size_t least_points() const {
    if (child_points_ == 0 || child_seconds_ <= 0) return 1;
    const double per_point = child_seconds_ / static_cast<double>(child_points_);
    return static_cast<size_t>(std::clamp(std::ceil(kMinChildSeconds / per_point), 1.0, 1e9));
  }

  PoolOptions opt_;
  const PoolCallbacks& cb_;
  PoolStats stats_;
  double child_seconds_ = 0;  // lifetimes of the children that reported their whole batch
  size_t child_points_ = 0;   // and their points
  TestHooks hooks_;
  std::deque<size_t> pending_;  // points not yet given to a worker
  std::deque<Batch> retries_;   // batches to run again after a worker died
  std::vector<Child> children_;
};

}  // namespace

PoolStats run_worker_pool(const std::vector<size_t>& points, const PoolOptions& options,
                          const PoolCallbacks& callbacks) {
  Pool pool(options, callbacks);
  pool.run(points);
  return pool.stats();
}

}  // namespace socsim
