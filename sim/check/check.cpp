// `socsim check`: the matrix, its points, verify per model, SLOs and the exit code; see check.hpp.
#include "sim/check/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "sim/driver/isolated.hpp"
#include "sim/verify/verify.hpp"

namespace socsim::check {

std::string_view verify_status_name(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::kPass:
      return "pass";
    case VerifyStatus::kMismatch:
      return "mismatch";
    case VerifyStatus::kSkipped:
      return "skipped";
    case VerifyStatus::kFailed:
      return "failed";
  }
  return "?";
}

size_t CheckReport::count(PointStatus s) const {
  return static_cast<size_t>(std::count_if(points.begin(), points.end(),
                                           [&](const PointResult& p) { return p.status == s; }));
}

size_t CheckReport::invariant_failures() const {
  size_t n = 0;
  for (const auto* list : {&points, &baseline})
    for (const PointResult& p : *list) n += p.status == PointStatus::kOk && !p.violations.empty();
  return n;
}

size_t CheckReport::failed_runs() const {
  size_t n = 0;
  for (const auto* list : {&points, &baseline})
    for (const PointResult& p : *list) n += p.status == PointStatus::kFailed;
  return n;
}

size_t CheckReport::verify_count(VerifyStatus s) const {
  return static_cast<size_t>(std::count_if(verify.begin(), verify.end(),
                                           [&](const VerifyOutcome& v) { return v.status == s; }));
}

int CheckReport::exit_code() const {
  if (invariant_failures() > 0 || failed_runs() > 0 || verify_count(VerifyStatus::kMismatch) > 0 ||
      verify_count(VerifyStatus::kFailed) > 0)
    return kExitCheckFailed;
  if (count(PointStatus::kOk) == 0) return 3;  // infeasible as asked: nothing could run
  return slo.empty() ? 0 : kExitSloViolated;
}

std::vector<PointSpec> expand_matrix(const CheckRequest& req) {
  std::vector<std::string> hw = req.hw;
  if (hw.empty())
    for (const std::string& name : shipped_names("hwprofiles"))
      if (name != "host") hw.push_back(name);  // `socsim calibrate` writes it for this machine
  const std::vector<std::string>& models = req.models.empty() ? kDefaultModels : req.models;
  std::vector<PointSpec> points;
  for (const std::string& h : hw)
    for (const std::string& m : models)
      for (int64_t prompt : req.prompts) points.push_back({h, m, prompt, req.gen});
  return points;
}

namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}
bool policy_specific(const std::string& set) {
  return starts_with(set, "policy.") || starts_with(set, "engine.");
}

void validate(const CheckRequest& req, const std::vector<PointSpec>& matrix) {
  Diagnostics d;
  for (const std::string* name : {&req.policy, &req.baseline}) {
    if (name->empty() || find_policy(*name)) continue;
    const std::string hint = closest_match(*name, policy_names());
    d.error({name == &req.policy ? "policy " + *name : "--against " + *name},
            fmt::format("unknown policy '{}'{}", *name,
                        hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
  }
  std::vector<std::string> seen;
  for (const PointSpec& p : matrix)
    for (const auto& [name, dir, opt] :
         {std::tuple{p.hw, "hwprofiles", "--hw "}, std::tuple{p.model, "models", "--model "}})
      if (std::find(seen.begin(), seen.end(), name) == seen.end()) {
        seen.push_back(name);
        resolve_input(name, dir, opt + name, d);
      }
  for (int64_t prompt : req.prompts)
    if (prompt < 1)
      d.error({"--prompt"}, fmt::format("prompt lengths must be >= 1, not {}", prompt));
  if (req.prompts.empty()) d.error({"--prompt"}, "no prompt length");
  if (req.gen < 1) d.error({"--gen"}, fmt::format("gen must be >= 1, not {}", req.gen));
  for (const std::string& s : req.sets)
    if (starts_with(s, "workload.prompt") || starts_with(s, "workload.gen"))
      d.error({"--set " + s}, "the matrix sets the workload's prompt and gen: use --prompt/--gen");
  for (const std::string& s : req.baseline_sets)
    if (!policy_specific(s))
      d.error({"--baseline-set " + s}, "only policy. and engine. overrides apply to the baseline");
  d.throw_if_errors();
}

// `verify` of the policy on a reduced `model` at `hw`, in a child process.
VerifyOutcome verify_model(const CheckRequest& req, const std::vector<std::string>& sets,
                           const std::string& model, const std::string& hw) {
  verify::VerifyRequest vr;
  vr.run = {hw, model, req.policy, sets, {}};
  vr.run.sets.push_back(fmt::format("workload.prompt={}", req.verify_prompt));
  vr.run.sets.push_back(fmt::format("workload.gen={}", req.verify_gen));
  VerifyOutcome out;
  out.model = model, out.hw = hw;
  auto child = [&] {
    nlohmann::json j;
    try {
      const verify::VerifyReport r = verify::run_verify(vr);
      j = {{"status", r.pass ? "pass" : "mismatch"},
           {"numerics", r.numerics},
           {"logits_rel", r.logits.rel},
           {"tolerance", r.tolerance},
           {"vs_in_order", r.vs_in_order.max_abs}};
    } catch (const InfeasibleError& e) {
      j = {{"status", "skipped"}, {"reason", e.what()}};
    } catch (const InputError& e) {  // e.g. the policy needs a model section the model lacks
      std::string why;
      for (const Diagnostic& x : e.diagnostics().all())
        if (x.severity == Severity::kError) why += (why.empty() ? "" : "; ") + x.message;
      j = {{"status", "skipped"}, {"reason", why}};
    }
    return j.dump();
  };
  try {
    const nlohmann::json j = nlohmann::json::parse(run_isolated_bytes(child));
    const std::string status = j.at("status").get<std::string>();
    if (status == "skipped") {
      out.reason = j.at("reason").get<std::string>();
      return out;
    }
    out.status = status == "pass" ? VerifyStatus::kPass : VerifyStatus::kMismatch;
    out.numerics = j.at("numerics").get<std::string>();
    auto num = [&](const char* k) { return j.at(k).is_null() ? INFINITY : j.at(k).get<double>(); };
    out.logits_rel = num("logits_rel"), out.tolerance = num("tolerance");
    out.vs_in_order = num("vs_in_order");
  } catch (const std::exception& e) {
    out.status = VerifyStatus::kFailed, out.reason = e.what();
  }
  return out;
}

}  // namespace

CheckReport run_check(const CheckRequest& req) {
  const auto wall0 = std::chrono::steady_clock::now();
  CheckReport r;
  r.request = req;
  r.matrix = expand_matrix(req);
  validate(req, r.matrix);
  std::vector<std::string> shared, own = req.sets, base;
  for (const std::string& s : req.sets)
    if (!policy_specific(s)) shared.push_back(s);
  base = shared;
  base.insert(base.end(), req.baseline_sets.begin(), req.baseline_sets.end());

  for (const PointSpec& p : r.matrix) {
    r.points.push_back(run_point(req.policy, p, own));
    if (!req.baseline.empty()) r.baseline.push_back(run_point(req.baseline, p, base));
    for (SloViolation& v : check_slo(req.slo, r.points.back())) r.slo.push_back(std::move(v));
  }
  if (req.verify) {
    // Per model, on the profile of its first point that ran (else its first point: the reduced
    // model fits where the full one did not, and a policy refusing the profile is a skip).
    std::vector<const PointResult*> first;
    for (const PointResult& p : r.points) {
      auto same = std::find_if(first.begin(), first.end(),
                               [&](const PointResult* f) { return f->spec.model == p.spec.model; });
      if (same == first.end())
        first.push_back(&p);
      else if ((*same)->status != PointStatus::kOk && p.status == PointStatus::kOk)
        *same = &p;
    }
    for (const PointResult* p : first)
      r.verify.push_back(verify_model(req, own, p->spec.model, p->spec.hw));
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return r;
}

}  // namespace socsim::check
