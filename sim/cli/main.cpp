// socsim command-line entry point: subcommand dispatch and the single place where errors become
// messages and exit codes (0 ok, 1 internal error, 2 bad input, 3 infeasible run, 4 a verified
// schedule does not compute the model, 5 host validation missed its accuracy targets, 6 `check`
// found a broken invariant, a failed run or a verify mismatch, 7 `check` found only SLO
// violations).
#include <cstdio>
#include <exception>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/driver/simulate.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "socsim: performance and energy simulator of mobile SoCs for on-device LLM inference"};
  app.require_subcommand(1);
  int exit_code = 0;
  socsim::cli::add_run_command(app, exit_code);
  socsim::cli::add_list_command(app, exit_code);
  socsim::cli::add_describe_command(app, exit_code);
  socsim::cli::add_verify_commands(app, exit_code);
  socsim::cli::add_reproduce_command(app, exit_code);
  socsim::cli::add_calibrate_commands(app, exit_code);
  socsim::cli::add_record_activations_command(app, exit_code);
  socsim::cli::add_sweep_commands(app, exit_code);
  socsim::cli::add_check_command(app, exit_code);
  socsim::cli::add_report_command(app, exit_code);
  socsim::cli::add_sensitivity_command(app, exit_code);
  socsim::cli::add_gguf_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const socsim::InputError& e) {
    std::fputs(e.diagnostics().to_string().c_str(), stderr);
    std::fprintf(stderr, "socsim: %d error(s) in the input\n", e.diagnostics().error_count());
    return 2;
  } catch (const socsim::InfeasibleError& e) {
    std::fprintf(stderr, "socsim: error: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "socsim: internal error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
