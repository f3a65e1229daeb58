// The llama.cpp microbenchmark plan and its execution; see llamacpp_bench.hpp.
#include "sim/calibrate/llamacpp_bench.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "sim/config/diagnostics.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/gguf/synthetic_model.hpp"

namespace socsim::calibrate {
namespace fs = std::filesystem;
namespace {

// The microbenchmark base model: llama-2-7b's architecture (SwiGLU, RMSNorm), resized.
constexpr const char* kBenchBase = "llama-2-7b";

struct Shape {
  const char* name;
  int64_t hidden, ffn, heads, kv_heads;
};
// Generic shapes between the shipped 1.5B and 7B models, one multi-head, one grouped-query.
// A tiny shape measures the fixed costs (per op, per thread join, per forward pass).
// The widest has matrices of 7B-class size (50-100 MB) and a working set well above a server
// last-level cache, so weight streaming from DRAM is measured too.
// A wide-FFN shape (FFN 5.5x the width, as SwiGLU models with few layers per parameter have)
// separates the down projection's long dot products from the up/gate ones.
constexpr Shape kShapes[] = {{"h256", 256, 768, 2, 2},
                             {"h1536", 1536, 4096, 12, 12},
                             {"h2048f", 2048, 11264, 16, 4},
                             {"h3072", 3072, 8192, 24, 8},
                             {"h4096", 4096, 12288, 32, 8}};
// A small vocabulary, a medium one, a 128k one (the output matrix of recent models is as large as
// several layers) and a 256k one (Gemma's 256,000 and Gemma 3's 262,144 tokens).
constexpr int64_t kVocabs[] = {4608, 49152, 131072, 262144};
constexpr const char* kQuants[] = {"q8_0", "q4_0", "f16"};

std::vector<std::string> shape_sets(const Shape& s, int64_t vocab, const std::string& quant) {
  // Two layers: llama.cpp runs the last layer's FFN on the output row only, so the first layer is
  // the one that times a whole layer at the prompt's rows.
  return {"model.layers=2",
          fmt::format("model.hidden={}", s.hidden),
          fmt::format("model.ffn={}", s.ffn),
          fmt::format("model.heads={}", s.heads),
          fmt::format("model.kv_heads={}", s.kv_heads),
          "model.head_dim=128",
          fmt::format("model.vocab={}", vocab),
          "model.max_context=2048",
          "model.weight_dtype=" + socsim_weight_dtype(quant)};
}

}  // namespace

std::string socsim_weight_dtype(const std::string& quant) {
  return std::string(dtype_name(gguf::weight_dtype_of(gguf::parse_quant(quant))));
}

std::vector<LlamaCppPoint> llamacpp_bench_plan(const LlamaCppBenchOptions& o) {
  std::vector<LlamaCppPoint> plan;
  const int max_threads = std::max(
      1, std::min<int>(o.max_threads, static_cast<int>(std::thread::hardware_concurrency())));
  for (const Shape& s : kShapes)
    for (int64_t vocab : kVocabs)
      for (const char* quant : kQuants)
        for (int t = 1; t <= max_threads; ++t) {
          if (o.quick &&
              (s.hidden != 1536 || vocab != 4608 || std::string(quant) != "q8_0" || t != 1))
            continue;
          // The tiny shape runs every vocabulary: its output matrix is small (a 256-wide row per
          // entry), so its decode time grows with the vocabulary almost only by the per-entry
          // work outside the matrix product (node-llama-cpp's token-candidate array, which every
          // evaluation allocates afresh), and the fit can tell that apart from the output
          // matrix's streaming, which the wide shapes' vocabularies add.
          if (s.hidden == 256 && std::string(quant) != "q8_0") continue;
          if (s.hidden == 4096 && vocab != 4608) continue;
          // The large vocabularies and the wide FFN in Q8_0 only (the quantisations' rates are
          // measured on the other shapes).
          const bool extra = vocab >= 131072 || s.hidden == 2048;
          if (extra && std::string(quant) != "q8_0") continue;
          if (vocab >= 131072 && s.hidden != 2048 && s.hidden != 256) continue;
          std::vector<std::pair<int64_t, int64_t>> runs{{16, 17}, {64, 1}, {256, 1}};
          if (o.quick) runs = {{16, 5}, {64, 1}};
          // Attention at long contexts, small vocabulary, Q8_0: a grouped-query shape (3 query
          // heads per KV head) and a multi-head one, which read the same KV bytes per query head
          // differently, so KV bytes and query-head work can be told apart.
          if (!o.quick && (s.hidden == 3072 || s.hidden == 1536) && vocab == 4608 &&
              std::string(quant) == "q8_0")
            runs.insert(runs.end(), {{512, 1}, {1024, 9}});
          for (auto [prompt, gen] : runs) {
            LlamaCppPoint p;
            p.shape = s.name, p.sets = shape_sets(s, vocab, quant), p.quant = quant;
            p.shape += fmt::format("-v{}", vocab);
            p.threads = t, p.prompt = prompt, p.gen = gen;
            plan.push_back(std::move(p));
          }
        }
  return plan;
}

void write_point_gguf(const LlamaCppPoint& p, const std::string& base_model,
                      const std::string& path) {
  RunRequest req;
  req.model = base_model;
  req.policy = "llamacpp";
  req.sets = p.sets;
  const LoadedRun run = load_run(req);
  gguf::SyntheticOptions g;
  g.quant = gguf::parse_quant(p.quant);
  g.context = 2048;
  gguf::write_synthetic_model(run.model, g, path);
}

std::vector<LlamaCppPoint> run_llamacpp_benchmarks(const LlamaCppInstall& in,
                                                   const LlamaCppBenchOptions& o) {
  std::vector<LlamaCppPoint> plan = llamacpp_bench_plan(o);
  const fs::path dir = o.workdir.empty() ? fs::temp_directory_path() : fs::path(o.workdir);
  // Group the points by file and thread count: one llama.cpp process each.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> files;
  for (size_t i = 0; i < plan.size(); ++i) files[{plan[i].shape, plan[i].quant}].push_back(i);
  for (const auto& [key, idx] : files) {
    const std::string path =
        (dir / fmt::format("socsim-bench-{}-{}-{}.gguf", key.first, key.second, ::getpid()))
            .string();
    write_point_gguf(plan[idx.front()], kBenchBase, path);
    std::map<int, std::vector<size_t>> by_threads;
    for (size_t i : idx) by_threads[plan[i].threads].push_back(i);
    for (const auto& [threads, points] : by_threads) {
      std::vector<LlamaCppRun> runs;
      for (size_t i : points) runs.push_back({plan[i].prompt, plan[i].gen});
      LlamaCppTimerOptions t;
      t.threads = threads, t.repeats = o.quick ? 2 : o.repeats;
      t.keep_cpus_awake = o.keep_cpus_awake;
      t.estimator = o.estimator;
      const std::vector<LlamaCppTiming> timing = time_llamacpp(in, path, runs, t);
      for (size_t k = 0; k < points.size(); ++k) {
        LlamaCppPoint& p = plan[points[k]];
        p.prefill_s = timing[k].prefill_s, p.decode_mean_s = timing[k].decode_mean_s();
        if (o.log)
          *o.log << fmt::format(
              "  {} {} t{} prompt {} gen {}: prefill {:.2f} ms{}\n", p.shape, p.quant, p.threads,
              p.prompt, p.gen, p.prefill_s * 1e3,
              p.gen > 1 ? fmt::format(", decode {:.2f} ms/token", p.decode_mean_s * 1e3) : "");
      }
    }
    fs::remove(path);
  }
  return plan;
}

std::string llamacpp_points_json(const std::vector<LlamaCppPoint>& points) {
  nlohmann::json j = nlohmann::json::array();
  for (const LlamaCppPoint& p : points)
    j.push_back({{"shape", p.shape},
                 {"sets", p.sets},
                 {"quant", p.quant},
                 {"threads", p.threads},
                 {"prompt", p.prompt},
                 {"gen", p.gen},
                 {"prefill_s", p.prefill_s},
                 {"decode_mean_s", p.decode_mean_s}});
  return j.dump(1) + "\n";
}

std::vector<LlamaCppPoint> llamacpp_points_from_json(const std::string& text,
                                                     const std::string& file) {
  std::vector<LlamaCppPoint> out;
  try {
    for (const auto& e : nlohmann::json::parse(text)) {
      LlamaCppPoint p;
      p.shape = e.at("shape").get<std::string>();
      p.sets = e.at("sets").get<std::vector<std::string>>();
      p.quant = e.at("quant").get<std::string>();
      p.threads = e.at("threads").get<int>();
      p.prompt = e.at("prompt").get<int64_t>();
      p.gen = e.at("gen").get<int64_t>();
      p.prefill_s = e.at("prefill_s").get<double>();
      p.decode_mean_s = e.at("decode_mean_s").get<double>();
      out.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError({file}, std::string("not a llama.cpp measurement file: ") + e.what());
  }
  return out;
}

std::vector<LlamaCppPoint> merge_llamacpp_points(
    const std::vector<std::vector<LlamaCppPoint>>& sets, TimingEstimator e) {
  using Key = std::tuple<std::string, std::string, int, int64_t, int64_t>;
  std::map<Key, size_t> index;
  std::vector<LlamaCppPoint> out;
  std::vector<std::vector<double>> prefill, decode;
  for (const auto& set : sets)
    for (const LlamaCppPoint& p : set) {
      const Key k{p.shape, p.quant, p.threads, p.prompt, p.gen};
      auto [it, fresh] = index.emplace(k, out.size());
      if (fresh) out.push_back(p), prefill.emplace_back(), decode.emplace_back();
      prefill[it->second].push_back(p.prefill_s);
      decode[it->second].push_back(p.decode_mean_s);
    }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].prefill_s = estimate(prefill[i], e);
    out[i].decode_mean_s = estimate(decode[i], e);
  }
  return out;
}

}  // namespace socsim::calibrate
