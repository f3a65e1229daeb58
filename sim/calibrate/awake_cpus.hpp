// Keeps every CPU of the machine out of its idle state while llama.cpp is timed. On a virtual
// machine an idle vCPU halts, and a thread woken on it (llama.cpp's worker threads sleep between
// decode steps) can wait for the next timer tick: measured here, two-thread decode steps of a
// tiny model took 4 ms multiples (13.0 ms mean) instead of 2.4 ms. One spinning process per CPU
// at SCHED_IDLE priority keeps the vCPUs running without taking time from any normal thread
// (the scheduler preempts it at once), so wake-ups are as prompt as on a bare-metal core.
#pragma once

#include <sys/types.h>

#include <vector>

namespace socsim::calibrate {

class AwakeCpus {
 public:
  // Starts one SCHED_IDLE spinner per online CPU; none when `enabled` is false or fork fails.
  explicit AwakeCpus(bool enabled);
  ~AwakeCpus();
  AwakeCpus(const AwakeCpus&) = delete;
  AwakeCpus& operator=(const AwakeCpus&) = delete;
  size_t spinners() const { return pids_.size(); }

 private:
  std::vector<pid_t> pids_;
};

}  // namespace socsim::calibrate
