// The options that name one design point, shared by `socsim run` and `socsim sensitivity` so that
// both take exactly the same RUN-ARGS: --hw, --model, --policy, --prompt, --gen, --memory, --set
// and --backend.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "sim/driver/inputs.hpp"
#include "sim/engine/backend.hpp"

namespace socsim::cli {

struct RunArgs {
  RunRequest req;
  int64_t prompt = 0, gen = 0;
  const CLI::Option* prompt_opt = nullptr;  // given? then any value is passed on and checked
  const CLI::Option* gen_opt = nullptr;
  std::string memory, backend = "simgrid";
};

void add_run_args(CLI::App* sub, RunArgs& a);

// The run the options name: the request with --prompt, --gen and --memory as workload `--set`s.
RunRequest run_request(const RunArgs& a);
BackendKind run_backend(const RunArgs& a);

}  // namespace socsim::cli
