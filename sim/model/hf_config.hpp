// Reads a Hugging Face transformers `config.json` (parsed as YAML, which keeps line and column)
// into a ModelSpec: llama, mistral, mixtral, qwen2, gemma, phi and similar decoder-only
// architectures. Keys that do not change the cost (token ids, dropout, ...) are skipped by name;
// any other unknown key is reported as a warning, never dropped silently.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "sim/config/diagnostics.hpp"
#include "sim/model/model_spec.hpp"

namespace socsim {

void read_hf_config(const std::string& path, const YAML::Node& root, ModelSpec& m,
                    Diagnostics& diags);

}  // namespace socsim
