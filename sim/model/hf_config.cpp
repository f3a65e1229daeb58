// Hugging Face config.json reader; see hf_config.hpp. (Minimal first version; extended below.)
#include "sim/model/hf_config.hpp"

namespace socsim {

void read_hf_config(const std::string& path, const YAML::Node&, ModelSpec&, Diagnostics& diags) {
  diags.error({path}, "Hugging Face config.json reading is not implemented yet");
}

}  // namespace socsim
