// Placeholder: being written.
#include "sim/sparse/neuron_cache.hpp"
