// The socsim command line as a function: subcommand dispatch and the single place where errors
// become messages and exit codes (see cli_app.hpp). main() and the Python module both call it.
#include "sim/cli/cli_app.hpp"

#include <cstdio>
#include <exception>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/driver/simulate.hpp"

namespace socsim::cli {

int run_cli(int argc, char** argv) {
  CLI::App app{
      "socsim: performance and energy simulator of mobile SoCs for on-device LLM inference"};
  app.require_subcommand(1);
  int exit_code = 0;
  add_run_command(app, exit_code);
  add_list_command(app, exit_code);
  add_describe_command(app, exit_code);
  add_verify_commands(app, exit_code);
  add_reproduce_command(app, exit_code);
  add_calibrate_commands(app, exit_code);
  add_record_activations_command(app, exit_code);
  add_sweep_commands(app, exit_code);
  add_check_command(app, exit_code);
  add_report_command(app, exit_code);
  add_sensitivity_command(app, exit_code);
  add_gguf_command(app, exit_code);
  add_compare_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const InputError& e) {
    std::fputs(e.diagnostics().to_string().c_str(), stderr);
    std::fprintf(stderr, "socsim: %d error(s) in the input\n", e.diagnostics().error_count());
    return 2;
  } catch (const InfeasibleError& e) {
    std::fprintf(stderr, "socsim: error: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "socsim: internal error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}

}  // namespace socsim::cli
