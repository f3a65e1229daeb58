// The fork-per-batch worker pool that runs a sweep's points. SimGrid 3.32 keeps process-wide
// state and a long-lived process accumulates it, so points run in forked children, each on a
// bounded batch of points after which it exits; up to `jobs` children run at once. A batch is a
// share of the points left (at most `batch`), so batches shrink towards the end and the workers
// finish together. A child inherits everything the parent loaded (the sweep plan, the warm input
// cache), writes each point's row as one line to its pipe (buffered for up to 20 ms), and the
// parent passes complete lines on as they arrive.
//
// A child that dies (a signal, or any exit before its batch is reported) loses nothing: the
// points of its batch it did not report are run again in a fresh child, which reports every row
// at once, so if it dies again the point it was running is known. That point is then given up as
// crashed and the rest of the batch goes on in another child. A child that reports nothing for
// longer than the point timeout is killed and handled the same way (its point, if it hangs again,
// is recorded as crashed with the timeout as the reason). Test hooks (environment):
// SOCSIM_SWEEP_TEST_CRASH=3,7 kills the child (SIGKILL) whenever it starts point 3 or 7;
// SOCSIM_SWEEP_TEST_CRASH_ONCE=5 only on the first attempt; SOCSIM_SWEEP_TEST_HANG=4 makes the
// child sleep for ever on point 4; SOCSIM_SWEEP_TEST_DELAY_MS=N sleeps N ms before each point.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace socsim {

struct PoolOptions {
  int jobs = 1;
  size_t batch = 2000;         // points per child at most
  double point_timeout_s = 0;  // longest a child may go without reporting a row; 0: no limit
};

struct PoolCallbacks {
  // In a child: the row of a point (one line, no newline).
  std::function<std::string(size_t point)> run;
  // In the parent: complete rows as they arrive, "line\n" each, with their points in order.
  std::function<void(const std::vector<size_t>& points, std::string_view lines)> rows;
  // In the parent: a point whose child died on it twice; `why` names the signal or exit status.
  std::function<void(size_t point, const std::string& why)> crashed;
  // In the parent: called at least every 100 ms while points run.
  std::function<void()> tick;
};

struct PoolStats {
  size_t children = 0;  // forked, retries included
};

// Runs every point in `points` (each reported exactly once through rows or crashed). Throws
// std::runtime_error if no child can be started. A batch is never smaller than the points a child
// ran in 50 ms so far (fork and copy-on-write faults cost some 13 ms a child), so cheap points
// do not end a sweep with a fork per point.
PoolStats run_worker_pool(const std::vector<size_t>& points, const PoolOptions& options,
                          const PoolCallbacks& callbacks);

}  // namespace socsim
