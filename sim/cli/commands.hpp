// The socsim subcommands. Each returns the process exit code; errors inside are thrown as
// InputError (bad input, exit 2) or InfeasibleError (cannot run as asked, exit 3) and reported by
// main, which is the only place that decides the exit code. `verify` exits 4 on a mismatch; `check`
// exits 6 when an invariant or verify fails and 7 when only SLOs are missed.
#pragma once

#include <CLI/CLI.hpp>

namespace socsim::cli {

void add_run_command(CLI::App& app, int& exit_code);
void add_list_command(CLI::App& app, int& exit_code);
void add_describe_command(CLI::App& app, int& exit_code);
void add_verify_commands(CLI::App& app, int& exit_code);
void add_reproduce_command(CLI::App& app, int& exit_code);
void add_calibrate_commands(CLI::App& app, int& exit_code);
void add_record_activations_command(CLI::App& app, int& exit_code);
void add_sweep_commands(CLI::App& app, int& exit_code);  // sweep, merge
void add_check_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_sensitivity_command(CLI::App& app, int& exit_code);
void add_gguf_command(CLI::App& app, int& exit_code);  // gguf, validate-llamacpp
void add_compare_command(CLI::App& app, int& exit_code);

}  // namespace socsim::cli
