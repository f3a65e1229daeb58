// Fuzz harness of `--set PATH=VALUE` overrides (sim/config/overrides.hpp) as `socsim run` applies
// them: each input line is one `--set` (e.g. "hw.npu.clock=600MHz", "policy.chunk_size=[32, 64]"),
// except lines `hw=NAME`, `model=NAME`, `policy=NAME` and `session=NAME`, which pick the run's
// shipped inputs (default redmi-k70-pro, qwen1.5-1.8b, cpu, no session). load_run then parses
// every override, applies it to the profile, model, policy, engine profile, workload or session it
// names and finalises them all. Inputs naming paths (any '/') are skipped: only shipped files are
// read, through a per-process cache. Bad input is an InputError with its diagnostics; anything else
// escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "sim/driver/input_cache.hpp"
#include "sim/driver/inputs.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(socsim::fuzz::as_text(data, size));
  if (text.find('/') != std::string::npos) return 0;
  static socsim::InputCache cache;
  socsim::RunRequest req;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t eq = line.find('=');
    const std::string key = line.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : line.substr(eq + 1);
    if (key == "hw")
      req.hw = value;
    else if (key == "model")
      req.model = value;
    else if (key == "policy")
      req.policy = value;
    else if (key == "session")
      req.session = value;
    else
      req.sets.push_back(line);
  }
  try {
    (void)socsim::load_run(req, &cache);
  } catch (const socsim::InputError&) {
  }
  return 0;
}
