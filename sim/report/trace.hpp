// Chrome / Perfetto trace-event JSON of one run: one track per core of each CPU cluster, per slot
// of the GPU and NPU, one for flash reads, and a DRAM counter track with the bandwidth the running
// ops draw (their bytes over their duration). Open it in ui.perfetto.dev or chrome://tracing.
#pragma once

#include <ostream>

#include "sim/driver/simulate.hpp"

namespace socsim {

void write_trace(std::ostream& os, const RunOutput& out);

}  // namespace socsim
