// The idle-priority spinners that keep every CPU awake while llama.cpp is timed: one per online
// CPU, at SCHED_IDLE (so they never take time from a normal thread), gone when the guard ends.
#include "sim/calibrate/awake_cpus.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace socsim::calibrate;

namespace {

// The pids of this process's children (from /proc/self/task/*/children).
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  std::ifstream in("/proc/self/task/" + std::to_string(::getpid()) + "/children");
  for (pid_t p; in >> p;) out.push_back(p);
  return out;
}

}  // namespace

TEST(AwakeCpus, OneIdlePrioritySpinnerPerCpuWhileItLives) {
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  std::vector<pid_t> pids;
  {
    const AwakeCpus awake(true);
    EXPECT_EQ(awake.spinners(), static_cast<size_t>(cpus));
    pids = children();
    ASSERT_EQ(pids.size(), static_cast<size_t>(cpus));
    // Each child sets its own policy right after fork; give it a moment.
    for (pid_t p : pids) {
      int policy = -1;
      for (int i = 0; i < 100 && (policy = ::sched_getscheduler(p)) != SCHED_IDLE; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      EXPECT_EQ(policy, SCHED_IDLE) << p;
    }
  }
  for (pid_t p : pids) EXPECT_NE(::kill(p, 0), 0) << p << " outlived the guard";
  EXPECT_TRUE(children().empty());
}

TEST(AwakeCpus, DisabledStartsNothing) {
  const AwakeCpus awake(false);
  EXPECT_EQ(awake.spinners(), 0u);
  EXPECT_TRUE(children().empty());
}
