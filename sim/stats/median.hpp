// The median of a sample, as every measured figure of socsim reports it (timings of repeated
// runs, errors of a reproduction): the middle value, or the mean of the two middle values; and
// its other quantiles (prediction bands, spreads of repeated timings).
#pragma once

#include <vector>

namespace socsim {

// Median of the values (0 for none).
double median(std::vector<double> values);
// The q-quantile (0..1) of the values, linear between order statistics; NaN for none.
double quantile(std::vector<double> values, double q);

}  // namespace socsim
