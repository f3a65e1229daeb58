// `socsim reproduce FILE...`: simulate every point of one or more paper experiments and compare
// with the published values; each table also goes to CSV (default out/<experiment>.csv) for
// analysis/. With several files, the median absolute error over all of them closes the output.
// With --bands N, each experiment also gets the uncertainty band of every compared value
// (sim/sensitivity/reproduce_bands.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/experiments/experiment.hpp"
#include "sim/sensitivity/reproduce_bands.hpp"

namespace socsim::cli {

void add_reproduce_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::vector<std::string> files;
    std::string csv;
    size_t bands = 0;
    uint64_t seed = 1;
    int jobs = 1;
  };
  auto o = std::make_shared<Options>();
  o->jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* sub = app.add_subcommand(
      "reproduce", "simulate paper experiments and compare with their published values");
  sub->add_option("files", o->files,
                  "experiment YAML files, e.g. experiments/mllm-npu/ablation-512.yaml")
      ->required();
  sub->add_option("--csv", o->csv,
                  "CSV output (default out/<experiment>.csv; - for none; one file only)");
  sub->add_option("--bands", o->bands,
                  "also run N samples of every point with its assumption-tagged numbers drawn in "
                  "their ranges: the 5-95% band of each compared value and whether the published "
                  "value is inside");
  sub->add_option("--seed", o->seed, "seed of the --bands draws")->capture_default_str();
  sub->add_option("-j,--jobs", o->jobs,
                  "worker processes of the --bands samples (default: the number of cores)");
  sub->callback([o, &exit_code] {
    if (o->files.size() > 1 && !o->csv.empty() && o->csv != "-")
      throw InputError({"--csv " + o->csv}, "a CSV path needs exactly one experiment file");
    std::vector<Experiment> experiments;
    for (const std::string& file : o->files) experiments.push_back(load_experiment(file));
    // Band plans first: malformed tags are found before anything runs.
    std::vector<std::unique_ptr<BandPlan>> plans;
    for (const Experiment& e : experiments)
      if (o->bands > 0) plan_bands(e, *plans.emplace_back(std::make_unique<BandPlan>()));
    std::vector<double> errors;
    size_t rankings = 0, rankings_right = 0, in_band = 0, band_compared = 0;
    for (size_t x = 0; x < experiments.size(); ++x) {
      const Experiment& e = experiments[x];
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
      if (o->bands > 0) {
        const ReproductionBands b = reproduce_bands(e, *plans[x], r, o->bands, o->seed, o->jobs);
        std::cout << format_reproduction_bands(b);
        for (const BandRow& row : b.rows) in_band += row.inside(), band_compared += row.compared();
      }
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
    if (experiments.size() > 1 && o->bands > 0)
      std::cout << fmt::format(
          "all {} experiments: published value inside the 5-95% band for {} of {} compared "
          "values\n",
          experiments.size(), in_band, band_compared);
    exit_code = 0;
  });
}

}  // namespace socsim::cli
