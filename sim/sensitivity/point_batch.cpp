// Batches of run variants; see point_batch.hpp.
#include "sim/sensitivity/point_batch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/config/diagnostics.hpp"
#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/report/result_json.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/worker_pool.hpp"

namespace socsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double number_at(const nlohmann::ordered_json& flat, const std::string& key) {
  const auto it = flat.find(key);
  return it != flat.end() && it->is_number() ? it->get<double>() : kNaN;
}

// The row of a point: {"point":N,"status":"ok","message":"","metrics":[...]} (nulls for NaN).
std::string batch_row(size_t point, const PointOutcome& o, const std::vector<std::string>& keys) {
  nlohmann::ordered_json row;
  row["point"] = point;
  row["status"] = std::string(status_name(o.status));
  row["message"] = o.message;
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (const std::string& k : keys) {
    const double v = o.status == PointStatus::kOk ? number_at(o.result, k) : kNaN;
    values.push_back(std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v));
  }
  row["metrics"] = std::move(values);
  return row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

PointStatus status_of(const std::string& name) {
  for (PointStatus s : {PointStatus::kOk, PointStatus::kInfeasible, PointStatus::kInputError,
                        PointStatus::kError, PointStatus::kCrashed})
    if (status_name(s) == name) return s;
  return PointStatus::kError;
}

}  // namespace

std::vector<BatchPoint> run_batch(const std::vector<RunRequest>& requests,
                                  const std::vector<std::string>& metrics, BackendKind backend,
                                  int jobs, InputCache& cache) {
  std::vector<BatchPoint> out(requests.size());
  std::vector<size_t> points(requests.size());
  for (size_t i = 0; i < points.size(); ++i) points[i] = i;
  PoolCallbacks cb;
  SimulationMemo memo;  // each worker fills its own copy
  cb.run = [&](size_t p) {
    return batch_row(p, run_request_point(requests[p], backend, cache, &memo), metrics);
  };
  cb.rows = [&](const std::vector<size_t>&, std::string_view lines) {
    for (size_t pos = 0; pos < lines.size();) {
      const size_t nl = lines.find('\n', pos);
      const auto row = nlohmann::json::parse(lines.substr(pos, nl - pos));
      BatchPoint& b = out.at(row.at("point").get<size_t>());
      b.status = status_of(row.at("status").get<std::string>());
      b.message = row.at("message").get<std::string>();
      for (const auto& v : row.at("metrics"))
        b.metrics.push_back(v.is_number() ? v.get<double>() : kNaN);
      pos = nl == std::string_view::npos ? lines.size() : nl + 1;
    }
  };
  cb.crashed = [&](size_t p, const std::string& why) {
    out.at(p) = {PointStatus::kCrashed, why, std::vector<double>(metrics.size(), kNaN)};
  };
  cb.tick = [] {};
  run_worker_pool(points, {std::max(1, jobs), PoolOptions{}.batch, 0}, cb);
  return out;
}

nlohmann::ordered_json run_one_isolated(const RunRequest& request, BackendKind backend,
                                        InputCache& cache) {
  // Bad input comes back as InputError with its diagnostics (run_isolated_bytes); a run that
  // cannot happen is marked 'x', a result 'v'.
  const std::string text = run_isolated_bytes([&] {
    try {
      const LoadedRun run = load_run(request, &cache);
      return "v" + flatten_result(result_json(run, *simulate(run, backend))).dump();
    } catch (const InfeasibleError& e) {
      return std::string("x") + e.what();
    }
  });
  if (text.empty() || text[0] != 'v') throw InfeasibleError(text.empty() ? "" : text.substr(1));
  return nlohmann::ordered_json::parse(text.substr(1));
}

std::vector<std::string> numeric_keys(const nlohmann::ordered_json& flat) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : flat.items())
    if (v.is_number()) keys.push_back(k);
  return keys;
}

}  // namespace socsim
