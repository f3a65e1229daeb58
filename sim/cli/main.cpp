// socsim command-line entry point; the command line itself is sim/cli/cli_app.hpp.
#include "sim/cli/cli_app.hpp"

int main(int argc, char** argv) {
  return socsim::cli::run_cli(argc, argv);
}
