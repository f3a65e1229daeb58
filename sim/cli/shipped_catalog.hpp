// The shipped hardware profiles and models as `socsim list` shows them: profiles grouped by SoC
// vendor, models by structure (dense, activation-sparse, mixture of experts), each with a line of
// facts and the provenance shares of its numbers (how much is measured, from a datasheet, assumed).
#pragma once

#include <string>

namespace socsim::cli {

// The hardware section of `socsim list`.
std::string list_hw_profiles();
// The model section of `socsim list`.
std::string list_models();

}  // namespace socsim::cli
