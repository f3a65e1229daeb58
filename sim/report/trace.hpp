// Chrome / Perfetto trace-event JSON: one track per core of each CPU cluster, per slot of the GPU
// and NPU, one for flash reads, and a DRAM counter track with the bandwidth the running ops draw
// (their bytes over their duration). A session's trace adds its runs one after another at their
// start times, a track per request with its phases, and counters (KV cache, temperatures,
// clocks). Open it in ui.perfetto.dev or chrome://tracing.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "sim/driver/simulate.hpp"

namespace socsim {

class TraceWriter {
 public:
  explicit TraceWriter(const PlatformSpec& p);
  // The ops of one run, shifted by `offset` seconds; its platform must have the same units.
  void add_run(const RunOutput& out, double offset = 0);
  // A span on a named track of its own (created on first use), e.g. a request's prefill.
  void add_span(const std::string& track, const std::string& name, double start, double end,
                nlohmann::ordered_json args = nlohmann::ordered_json::object());
  // A point of a counter track, e.g. the KV cache's bytes.
  void add_counter(const std::string& name, double t, const std::string& series, double value);
  void write(std::ostream& os);

 private:
  const PlatformSpec& p_;
  nlohmann::ordered_json events_ = nlohmann::ordered_json::array();
  std::vector<int> first_track_;
  int flash_tid_ = 0, next_tid_ = 1;
  std::map<std::string, int> named_tracks_;
  std::map<double, double> dram_delta_;  // time -> change of bandwidth drawn
};

void write_trace(std::ostream& os, const RunOutput& out);

}  // namespace socsim
