// SCHED_IDLE spinners; see awake_cpus.hpp.
#include "sim/calibrate/awake_cpus.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace socsim::calibrate {

AwakeCpus::AwakeCpus(bool enabled) {
  if (!enabled) return;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  for (long i = 0; i < cpus; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) break;
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the measurement
      sched_param p{};
      if (::sched_setscheduler(0, SCHED_IDLE, &p) != 0) ::_exit(0);  // never compete
      volatile unsigned long spins = 0;
      for (;;) spins = spins + 1;
    }
    pids_.push_back(pid);
  }
}

AwakeCpus::~AwakeCpus() {
  for (pid_t pid : pids_) ::kill(pid, SIGKILL);
  for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
}

}  // namespace socsim::calibrate
