// `socsim reproduce FILE`: simulate every point of a paper experiment and compare with the
// published values; the table also goes to CSV (default out/<experiment>.csv) for analysis/.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/experiments/experiment.hpp"

namespace socsim::cli {

void add_reproduce_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string file, csv;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "reproduce", "simulate a paper experiment and compare with its published values");
  sub->add_option("file", o->file, "experiment YAML, e.g. experiments/mllm-npu/ablation-512.yaml")
      ->required();
  sub->add_option("--csv", o->csv, "CSV output (default out/<experiment>.csv; - for none)");
  sub->callback([o, &exit_code] {
    const Experiment e = load_experiment(o->file);
    std::string csv = o->csv.empty() ? "out/" + e.name + ".csv" : o->csv;
    std::ofstream f;
    if (csv != "-") {
      std::filesystem::path dir = std::filesystem::path(csv).parent_path();
      std::error_code ec;
      if (!dir.empty()) std::filesystem::create_directories(dir, ec);
      f.open(csv);
      if (!f) throw InputError({csv}, "cannot open for writing");
    }
    const Reproduction r = reproduce(e);
    std::cout << format_reproduction(r);
    if (f.is_open()) {
      f << reproduction_csv(r);
      std::cout << "  wrote " << csv << "\n";
    }
    exit_code = 0;
  });
}

}  // namespace socsim::cli
