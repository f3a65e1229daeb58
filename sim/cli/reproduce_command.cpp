// `socsim reproduce FILE...`: simulate every point of one or more paper experiments and compare
// with the published values; each table also goes to CSV (default out/<experiment>.csv) for
// analysis/. With several files, the median absolute error over all of them closes the output.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/experiments/experiment.hpp"

namespace socsim::cli {

void add_reproduce_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::vector<std::string> files;
    std::string csv;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "reproduce", "simulate paper experiments and compare with their published values");
  sub->add_option("files", o->files,
                  "experiment YAML files, e.g. experiments/mllm-npu/ablation-512.yaml")
      ->required();
  sub->add_option("--csv", o->csv,
                  "CSV output (default out/<experiment>.csv; - for none; one file only)");
  sub->callback([o, &exit_code] {
    if (o->files.size() > 1 && !o->csv.empty() && o->csv != "-")
      throw InputError({"--csv " + o->csv}, "a CSV path needs exactly one experiment file");
    std::vector<Experiment> experiments;
    for (const std::string& file : o->files) experiments.push_back(load_experiment(file));
    std::vector<double> errors;
    size_t rankings = 0, rankings_right = 0;
    for (const Experiment& e : experiments) {
      const std::string csv = o->csv.empty() ? "out/" + e.name + ".csv" : o->csv;
      std::ofstream f;
      if (csv != "-") {
        const std::filesystem::path dir = std::filesystem::path(csv).parent_path();
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
      errors.insert(errors.end(), r.abs_errors.begin(), r.abs_errors.end());
      for (const RankingCheck& k : r.rankings) rankings_right += k.right(), ++rankings;
    }
    if (experiments.size() > 1 && !errors.empty())
      std::cout << fmt::format(
          "all {} experiments: median |error| {:.1f}% over {} compared values; rankings right in "
          "{} of {} rows\n",
          experiments.size(), 100 * median(errors), errors.size(), rankings_right, rankings);
    exit_code = 0;
  });
}

}  // namespace socsim::cli
