// Text and JSON output of `socsim check`; see check_report.hpp.
#include "sim/check/check_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "sim/config/units.hpp"

namespace socsim::check {
namespace {

std::string time_text(double s) {
  return format_human(s, Dim::kTime, 4);
}
std::string bytes_text(double b) {
  return format_human(b, Dim::kBytes, 4);
}
std::string joules_text(double j) {  // J/token spans mJ to J: one prefix rule for the column
  return std::abs(j) < 1 ? fmt::format("{:.4g}mJ", j * 1e3) : fmt::format("{:.4g}J", j);
}
std::string tps_text(double t) {
  return fmt::format("{:.4g}", t);
}

size_t label_width(const CheckReport& r) {
  size_t w = 5;
  for (const PointSpec& p : r.matrix) w = std::max(w, p.label().size());
  return w;
}

std::string invariant_names(const PointResult& p) {
  if (p.violations.empty()) return "held";
  std::string s;
  for (const auto& [name, n] : p.violations.counts())
    s += fmt::format("{}{}({})", s.empty() ? "" : " ", name, n);
  return s;
}

double ratio(double a, double b) {
  return b > 0 && a > 0 ? a / b : std::nan("");
}

struct GeoMean {
  double log_sum = 0;
  size_t n = 0;
  void add(double x) {
    if (std::isfinite(x) && x > 0) log_sum += std::log(x), ++n;
  }
  double value() const { return n ? std::exp(log_sum / static_cast<double>(n)) : std::nan(""); }
};

std::string ratio_text(double x) {
  return std::isfinite(x) ? fmt::format("{:.2f}x", x) : "-";
}

}  // namespace

std::string format_points(const CheckReport& r) {
  const size_t w = label_width(r);
  std::string s =
      fmt::format("{:<{}}  {:<7}  {:>8}  {:>9}  {:>8}  {:>8}  {:>8}  {}\n", "point", w, "status",
                  "TTFT", "prefill/s", "decode/s", "J/token", "memory", "invariants");
  for (const PointResult& p : r.points) {
    if (p.status != PointStatus::kOk) {
      s += fmt::format("{:<{}}  {:<7}  {}\n", p.spec.label(), w,
                       p.status == PointStatus::kSkipped ? "skipped" : "FAILED", p.reason);
      continue;
    }
    const PointMetrics& m = p.metrics;
    s += fmt::format("{:<{}}  {:<7}  {:>8}  {:>9}  {:>8}  {:>8}  {:>8}  {}\n", p.spec.label(), w,
                     p.violations.empty() ? "ok" : "FAILED", time_text(m.ttft_s),
                     tps_text(m.prefill_tps), tps_text(m.decode_tps),
                     joules_text(m.energy_per_token_j), bytes_text(m.peak_memory_bytes),
                     invariant_names(p));
    for (const std::string& line : p.violations.lines()) s += "    " + line + "\n";
  }
  return s;
}

std::string format_verify(const CheckReport& r) {
  if (r.verify.empty()) return {};
  std::string s = fmt::format("verify (reduced models, prompt {}, gen {}, reference kernels):\n",
                              r.request.verify_prompt, r.request.verify_gen);
  size_t w = 0;
  for (const VerifyOutcome& v : r.verify) w = std::max(w, v.model.size());
  for (const VerifyOutcome& v : r.verify) {
    if (v.status == VerifyStatus::kPass || v.status == VerifyStatus::kMismatch)
      s += fmt::format(
          "  {:<{}}  {:<8} on {}: {} numerics, logits error {:.3g} (tolerance {:.3g}), schedule vs "
          "in-order {:.3g} (must be 0)\n",
          v.model, w, v.status == VerifyStatus::kPass ? "pass" : "MISMATCH", v.hw, v.numerics,
          v.logits_rel, v.tolerance, v.vs_in_order);
    else
      s += fmt::format("  {:<{}}  {:<8} {}\n", v.model, w,
                       v.status == VerifyStatus::kSkipped ? "skipped" : "FAILED", v.reason);
  }
  return s;
}

std::string format_slo(const CheckReport& r) {
  if (r.request.slo.empty()) return {};
  std::string terms;
  for (const SloTerm& t : r.request.slo) terms += (terms.empty() ? "" : ", ") + t.text;
  if (r.slo.empty())
    return fmt::format("SLOs ({}): met on all {} points that ran\n", terms,
                       r.count(PointStatus::kOk));
  std::string s = fmt::format("SLO violations ({} of {}):\n", r.slo.size(), terms);
  for (const SloViolation& v : r.slo) s += "  " + v.describe() + "\n";
  return s;
}

Comparison compare_with_baseline(const CheckReport& r) {
  GeoMean ttft, prefill, decode, energy, memory;
  Comparison c;
  for (size_t i = 0; i < r.baseline.size() && i < r.points.size(); ++i) {
    const PointResult &p = r.points[i], &b = r.baseline[i];
    if (p.status != PointStatus::kOk || b.status != PointStatus::kOk) continue;
    ++c.points;
    ttft.add(ratio(b.metrics.ttft_s, p.metrics.ttft_s));
    prefill.add(ratio(p.metrics.prefill_tps, b.metrics.prefill_tps));
    decode.add(ratio(p.metrics.decode_tps, b.metrics.decode_tps));
    energy.add(ratio(p.metrics.energy_per_token_j, b.metrics.energy_per_token_j));
    memory.add(ratio(p.metrics.peak_memory_bytes, b.metrics.peak_memory_bytes));
  }
  c.ttft_speedup = ttft.value(), c.prefill_ratio = prefill.value();
  c.decode_ratio = decode.value(), c.energy_ratio = energy.value();
  c.memory_ratio = memory.value();
  return c;
}

std::string format_comparison(const CheckReport& r) {
  if (r.request.baseline.empty()) return {};
  const size_t w = label_width(r);
  std::string s = fmt::format(
      "against {} (policy / baseline; TTFT as speedup baseline / policy):\n"
      "{:<{}}  {:>19} {:>6}  {:>17} {:>6}  {:>15} {:>6}  {:>17} {:>6}  {:>17} {:>6}\n",
      r.request.baseline, "point", w, "TTFT", "x", "prefill tok/s", "x", "decode tok/s", "x",
      "J/token", "x", "memory", "x");
  for (size_t i = 0; i < r.baseline.size(); ++i) {
    const PointResult &p = r.points[i], &b = r.baseline[i];
    if (p.status != PointStatus::kOk || b.status != PointStatus::kOk) {
      const PointResult& missing = p.status != PointStatus::kOk ? p : b;
      s += fmt::format("{:<{}}  {} {}: {}\n", p.spec.label(), w, missing.policy,
                       status_name(missing.status), missing.reason);
      continue;
    }
    for (const std::string& line : b.violations.lines())
      s += fmt::format("    {} {}\n", b.policy, line);
    const PointMetrics &m = p.metrics, &n = b.metrics;
    s += fmt::format(
        "{:<{}}  {:>19} {:>6}  {:>17} {:>6}  {:>15} {:>6}  {:>17} {:>6}  {:>17} {:>6}\n",
        p.spec.label(), w, time_text(m.ttft_s) + " / " + time_text(n.ttft_s),
        ratio_text(ratio(n.ttft_s, m.ttft_s)),
        tps_text(m.prefill_tps) + " / " + tps_text(n.prefill_tps),
        ratio_text(ratio(m.prefill_tps, n.prefill_tps)),
        tps_text(m.decode_tps) + " / " + tps_text(n.decode_tps),
        ratio_text(ratio(m.decode_tps, n.decode_tps)),
        joules_text(m.energy_per_token_j) + " / " + joules_text(n.energy_per_token_j),
        ratio_text(ratio(m.energy_per_token_j, n.energy_per_token_j)),
        bytes_text(m.peak_memory_bytes) + " / " + bytes_text(n.peak_memory_bytes),
        ratio_text(ratio(m.peak_memory_bytes, n.peak_memory_bytes)));
  }
  const Comparison c = compare_with_baseline(r);
  s += fmt::format(
      "geometric mean over {} points both ran: TTFT speedup {}, prefill throughput {}, decode "
      "throughput {}, energy per token {}, peak memory {}\n",
      c.points, ratio_text(c.ttft_speedup), ratio_text(c.prefill_ratio), ratio_text(c.decode_ratio),
      ratio_text(c.energy_ratio), ratio_text(c.memory_ratio));
  return s;
}

std::string format_summary(const CheckReport& r) {
  const int code = r.exit_code();
  const char* verdict = code == 0 ? "PASS" : code == kExitSloViolated ? "SLO VIOLATED" : "FAIL";
  std::string s = fmt::format(
      "check {}: {} points ran, {} skipped, {} failed to run; invariants broken on {} of them",
      r.request.policy, r.count(PointStatus::kOk), r.count(PointStatus::kSkipped),
      r.count(PointStatus::kFailed), r.invariant_failures());
  if (!r.baseline.empty()) s += fmt::format(" (baseline {} included)", r.request.baseline);
  if (!r.verify.empty())
    s += fmt::format("; verify {} passed, {} mismatched, {} skipped, {} failed",
                     r.verify_count(VerifyStatus::kPass), r.verify_count(VerifyStatus::kMismatch),
                     r.verify_count(VerifyStatus::kSkipped), r.verify_count(VerifyStatus::kFailed));
  if (!r.request.slo.empty()) s += fmt::format("; {} SLO violations", r.slo.size());
  s += fmt::format("; {:.1f} s: {} (exit {})\n", r.wall_s, verdict, code);
  return s;
}

std::string format_report(const CheckReport& r) {
  std::string s = format_points(r);
  for (const std::string& part : {format_verify(r), format_slo(r), format_comparison(r)})
    if (!part.empty()) s += "\n" + part;
  return s + "\n" + format_summary(r);
}

nlohmann::json report_json(const CheckReport& r) {
  const CheckRequest& q = r.request;
  nlohmann::json j = {{"policy", q.policy}, {"gen", q.gen}, {"prompts", q.prompts}};
  j["points"] = nlohmann::json::array();
  for (const PointResult& p : r.points) j["points"].push_back(to_json(p));
  if (!q.baseline.empty()) {
    j["baseline"] = q.baseline;
    j["baseline_points"] = nlohmann::json::array();
    for (const PointResult& p : r.baseline) j["baseline_points"].push_back(to_json(p));
    const Comparison c = compare_with_baseline(r);
    auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
    j["comparison"] = {{"points", c.points},
                       {"ttft_speedup", num(c.ttft_speedup)},
                       {"prefill_tokens_per_s_ratio", num(c.prefill_ratio)},
                       {"decode_tokens_per_s_ratio", num(c.decode_ratio)},
                       {"energy_per_token_ratio", num(c.energy_ratio)},
                       {"peak_memory_ratio", num(c.memory_ratio)}};
  }
  j["verify"] = nlohmann::json::array();
  for (const VerifyOutcome& v : r.verify) {
    nlohmann::json e = {{"model", v.model}, {"status", verify_status_name(v.status)}};
    if (!v.hw.empty()) e["hw"] = v.hw;
    if (!v.reason.empty()) e["reason"] = v.reason;
    if (v.status == VerifyStatus::kPass || v.status == VerifyStatus::kMismatch)
      e.update({{"numerics", v.numerics},
                {"logits_rel_error", v.logits_rel},
                {"tolerance", v.tolerance},
                {"schedule_vs_in_order_max_abs", v.vs_in_order}});
    j["verify"].push_back(e);
  }
  nlohmann::json slo = {{"terms", nlohmann::json::array()},
                        {"violations", nlohmann::json::array()}};
  for (const SloTerm& t : q.slo) slo["terms"].push_back(t.text);
  for (const SloViolation& v : r.slo)
    slo["violations"].push_back({{"point", v.point},
                                 {"metric", v.term.metric->name},
                                 {"value", v.value},
                                 {"limit", v.term.limit},
                                 {"at_most", v.term.at_most}});
  j["slo"] = slo;
  j["summary"] = {{"ran", r.count(PointStatus::kOk)},
                  {"skipped", r.count(PointStatus::kSkipped)},
                  {"failed", r.count(PointStatus::kFailed)},
                  {"invariant_failures", r.invariant_failures()},
                  {"verify_passed", r.verify_count(VerifyStatus::kPass)},
                  {"verify_mismatched", r.verify_count(VerifyStatus::kMismatch)},
                  {"slo_violations", r.slo.size()},
                  {"wall_s", r.wall_s},
                  {"exit_code", r.exit_code()}};
  return j;
}

}  // namespace socsim::check
