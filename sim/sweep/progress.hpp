// Progress of a running sweep on stderr: on a terminal, one bar redrawn in place at most ten
// times a second with the points done, the rate (points per second, over the last few seconds)
// and the time left; otherwise (a log file, CI) a plain line every 10 s. Quiet prints nothing.
// Rates and times are for people only and never reach the result files.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <utility>

namespace socsim {

class Progress {
 public:
  // `total` points in this run, `done` of them already done before it started (resumed).
  Progress(std::string name, size_t total, size_t done, bool quiet);
  void update(size_t done);
  // Clears the bar and prints `summary` (one line), unless quiet.
  void finish(const std::string& summary);
  double elapsed_s() const;
  double rate() const;  // points per second over this run

 private:
  void draw(size_t done, bool force);

  using Clock = std::chrono::steady_clock;
  std::string name_;
  size_t total_, start_done_, done_;
  bool quiet_, tty_;
  Clock::time_point start_, last_draw_;
  std::deque<std::pair<Clock::time_point, size_t>> window_;  // recent (time, done) samples
};

// "1:02:03", "2:03", "45s".
std::string format_duration(double seconds);

}  // namespace socsim
