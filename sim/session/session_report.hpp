// Reporting a simulated session: the result JSON (per request TTFT, TPOT, end-to-end latency,
// queueing, prefix reuse and energy; percentiles across requests; session energy; KV cache and
// memory over time), the text summary, and the trace (every step's ops at its time, a track per
// request with its waiting, prefill and decode spans, and the KV cache as a counter).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "sim/driver/inputs.hpp"
#include "sim/session/session_sim.hpp"

namespace socsim {

// With `series` false the arrays over time (timeline, thermal samples) are left out, as sweep
// rows keep scalars and per-request figures only.
nlohmann::ordered_json session_json(const LoadedRun& run, const SessionResult& r,
                                    bool series = true);
std::string session_summary(const LoadedRun& run, const SessionResult& r);
// Needs the steps kept (SessionOptions::keep_steps).
void write_session_trace(std::ostream& os, const SessionResult& r);

}  // namespace socsim
