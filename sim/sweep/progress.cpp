// Sweep progress display; see progress.hpp.
#include "sim/sweep/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace socsim {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const long t = std::lround(s);
  if (t < 60) return fmt::format("{}s", t);
  if (t < 3600) return fmt::format("{}:{:02}", t / 60, t % 60);
  return fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
}

Progress::Progress(std::string name, size_t total, size_t done, bool quiet)
    : name_(std::move(name)),
      total_(total),
      start_done_(done),
      done_(done),
      quiet_(quiet),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(Clock::now()),
      last_draw_(start_) {
  window_.emplace_back(start_, done);
  if (!quiet_ && done > 0)
    std::fprintf(stderr, "sweep %s: resuming, %zu of %zu points already done\n", name_.c_str(),
                 done, total_);
}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

double Progress::rate() const {
  const double t = elapsed_s();
  return t > 0 ? static_cast<double>(done_ - start_done_) / t : 0.0;
}

void Progress::update(size_t done) {
  done_ = done;
  draw(done, false);
}

void Progress::draw(size_t done, bool force) {
  if (quiet_) return;
  const auto now = Clock::now();
  const auto since = now - last_draw_;
  if (!force && since < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(10))) return;
  last_draw_ = now;
  window_.emplace_back(now, done);
  while (window_.size() > 2 && now - window_[1].first > std::chrono::seconds(5))
    window_.pop_front();
  const double dt = std::chrono::duration<double>(now - window_.front().first).count();
  const double r = dt > 0 ? static_cast<double>(done - window_.front().second) / dt : 0.0;
  const double eta = r > 0 ? static_cast<double>(total_ - done) / r : NAN;
  const double share = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1;
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(share * kWidth);
    std::fprintf(stderr, "\r\033[K%s [%s%s] %zu/%zu %3.0f%% %.0f points/s ETA %s", name_.c_str(),
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), done, total_,
                 100 * share, r, format_duration(eta).c_str());
  } else {
    std::fprintf(stderr, "sweep %s: %zu/%zu points (%.0f%%), %.0f points/s, %s left\n",
                 name_.c_str(), done, total_, 100 * share, r, format_duration(eta).c_str());
  }
  std::fflush(stderr);
}

void Progress::finish(const std::string& summary) {
  if (quiet_) return;
  if (tty_) std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "%s\n", summary.c_str());
}

}  // namespace socsim
