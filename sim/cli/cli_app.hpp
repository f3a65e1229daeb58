// The socsim command line as a function: parses argv (argv[0] is the program name), runs the
// subcommand and returns the exit code (0 ok, 1 internal error, 2 bad input, 3 infeasible run, 4 a
// verified schedule does not compute the model, 5 a validation missed its accuracy targets, 6
// `check` found a broken invariant, a failed run or a verify mismatch, 7 `check` found only SLO
// violations). Errors are printed to stderr, results to stdout.
#pragma once

namespace socsim::cli {

int run_cli(int argc, char** argv);

}  // namespace socsim::cli
