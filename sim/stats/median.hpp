// The median of a sample, as every measured figure of socsim reports it (timings of repeated
// runs, errors of a reproduction): the middle value, or the mean of the two middle values.
#pragma once

#include <vector>

namespace socsim {

// Median of the values (0 for none).
double median(std::vector<double> values);

}  // namespace socsim
