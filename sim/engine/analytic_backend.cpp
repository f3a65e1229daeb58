// Contention-free analytic backend: every op takes delay + flash service + max(compute, bytes on
// each link / link bandwidth), as if it ran alone, whatever else runs. Events are processed in time
// order, ties in launch order, so results are deterministic. Used to cross-check the SimGrid
// backend (they agree to 1e-9 on graphs without overlap) and for fast what-if estimates.
#include <queue>

#include "sim/engine/backend.hpp"
#include "sim/engine/link_model.hpp"

namespace socsim {
namespace {

class AnalyticBackend final : public Backend {
 public:
  void build(const PlatformSpec& p) override { links_ = std::make_unique<LinkLayout>(p); }

  void launch(const LaunchDesc& d) override {
    // Same order of additions as the SimGrid backend's stages: delay, then flash, then work.
    double t = now_;
    if (d.delay_s > 0) t += d.delay_s;
    if (d.flash_service_s > 0) t += d.flash_service_s;
    if (d.place.count > 0 && (d.compute_s > 0 || d.dram_bytes > 0))
      t += lone_work_time(*links_, d, scratch_);
    events_.push({t, seq_++, d.op});
  }

  void run(CompletionSink& sink) override {
    while (!events_.empty()) {
      Event e = events_.top();
      events_.pop();
      now_ = e.time;
      sink.on_complete(e.op, now_);
    }
  }

  double now() const override { return now_; }

 private:
  struct Event {
    double time;
    uint64_t seq;
    OpId op;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  std::unique_ptr<LinkLayout> links_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::vector<double> scratch_;
  double now_ = 0;
  uint64_t seq_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_analytic_backend() {
  return std::make_unique<AnalyticBackend>();
}

}  // namespace socsim
