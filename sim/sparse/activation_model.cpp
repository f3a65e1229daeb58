// Placeholder: being written.
#include "sim/sparse/activation_model.hpp"
