// Drawing random design points; see random_points.hpp.
#include "sim/check/random_points.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/check/random_stream.hpp"
#include "sim/config/describe.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/engine/platform.hpp"
#include "sim/lower/lower_context.hpp"
#include "sim/provenance/run_provenance.hpp"
#include "sim/sensitivity/perturb.hpp"

namespace socsim::check {
namespace {

constexpr size_t kMaxDraws = 200;
constexpr double kShippedProfileShare = 0.4;  // points on a profile exactly as shipped
constexpr double kPolicyParamChance = 0.15;   // each policy parameter is changed with this chance

ParameterValue clamped(ParameterValue v) {
  auto clamp = [&](double x) { return std::clamp(x, v.min, v.max); };
  v.scalar = clamp(v.scalar);
  for (auto& [x, y] : v.points) y = clamp(y);
  for (double& x : v.values) x = clamp(x);
  return v;
}

bool has_value(const ParameterValue& v) {
  return v.is_table() ? v.rows() > 0 : std::isfinite(v.scalar);
}

std::string errors_of(const Diagnostics& d) {
  std::string out;
  for (const Diagnostic& e : d.all())
    if (e.severity == Severity::kError) out += (out.empty() ? "" : "; ") + e.to_string();
  return out;
}

// "one of a|b|c" -> {a, b, c}; "boolean" -> {true, false}; anything else -> {}.
std::vector<std::string> options_of(const ParamRow& row) {
  if (row.type == "boolean") return {"true", "false"};
  const std::string prefix = "one of ";
  if (row.type.rfind(prefix, 0) != 0) return {};
  std::vector<std::string> out;
  std::string rest = row.type.substr(prefix.size());
  for (size_t bar; (bar = rest.find('|')) != std::string::npos; rest = rest.substr(bar + 1))
    out.push_back(rest.substr(0, bar));
  out.push_back(rest);
  return out;
}

}  // namespace

RandomSpace complete_space(RandomSpace s) {
  if (s.hw.empty())
    for (const std::string& name : shipped_names("hwprofiles"))
      if (name != "host") s.hw.push_back(name);  // written by `socsim calibrate` for a machine
  if (s.models.empty()) s.models = shipped_names("models");
  if (s.policies.empty()) s.policies = policy_names();
  return s;
}

std::string RandomPoint::label() const {
  return fmt::format("#{} {}/{}/{} p{} g{}", index, request.hw, request.model, request.policy,
                     prompt, gen);
}

std::string RandomPoint::command() const {
  std::string cmd = fmt::format("socsim run --hw {} --model {} --policy {}", request.hw,
                                request.model, request.policy);
  for (const std::string& s : request.sets) cmd += fmt::format(" --set '{}'", s);
  return cmd;
}

void replace_set(std::vector<std::string>& sets, const std::string& set) {
  const std::string path = set.substr(0, set.find('=') + 1);
  for (std::string& s : sets)
    if (s.rfind(path, 0) == 0) {
      s = set;
      return;
    }
  sets.push_back(set);
}

std::string screen(const RunRequest& req, InputCache& cache) {
  try {
    const LoadedRun run = load_run(req, &cache);
    const PlatformSpec platform = make_platform(*run.hw);
    Diagnostics d;
    run.policy->check(LowerContext{run.model, *run.hw, platform, run.workload}, d);
    return errors_of(d);
  } catch (const InputError& e) {
    return errors_of(e.diagnostics());
  } catch (const std::exception& e) {
    return e.what();
  }
}

PointDrawer::PointDrawer(RandomSpace space, uint64_t seed)
    : space_(complete_space(std::move(space))), seed_(seed) {
  if (space_.hw.empty() || space_.models.empty() || space_.policies.empty())
    throw std::runtime_error("random check: no profile, model or policy to draw from");
  Diagnostics d;  // every name is checked before anything is drawn
  for (const std::string& hw : space_.hw) cache_.resolve(hw, "hwprofiles", "--hw " + hw, d);
  for (const std::string& m : space_.models) cache_.resolve(m, "models", "--model " + m, d);
  for (const std::string& p : space_.policies)
    if (!find_policy(p))
      d.error({"socsim check " + p}, fmt::format("no policy named '{}' (see `socsim list`)", p));
  if (d.has_errors()) throw InputError(std::move(d));
}

const std::vector<ParameterProvenance>& PointDrawer::hw_params(const std::string& hw) {
  auto it = hw_params_.find(hw);
  if (it != hw_params_.end()) return it->second;
  Diagnostics d;
  const std::string path = cache_.resolve(hw, "hwprofiles", "--hw", d);
  std::vector<ParameterProvenance> params;
  if (!d.has_errors())
    for (ParameterProvenance& p : file_provenance("hw", path, d))
      if (has_value(p.value)) params.push_back(std::move(p));
  return hw_params_.emplace(hw, std::move(params)).first->second;
}

const std::vector<ParameterProvenance>& PointDrawer::policy_params(const std::string& policy) {
  auto it = policy_params_.find(policy);
  if (it != policy_params_.end()) return it->second;
  Diagnostics d;
  std::vector<ParameterProvenance> params;
  for (ParameterProvenance& p : policy_provenance(policy, d))
    if (has_value(p.value)) params.push_back(std::move(p));
  auto& choices = choices_[policy];
  if (const PolicyInfo* info = find_policy(policy)) {
    std::unique_ptr<Policy> made = info->make();
    for (const ParamRow& row : describe_params([&](FieldVisitor& v) { made->visit_params(v); }))
      if (std::vector<std::string> options = options_of(row); !options.empty())
        choices.emplace_back("policy." + row.path, std::move(options));
  }
  return policy_params_.emplace(policy, std::move(params)).first->second;
}

RandomPoint PointDrawer::draw(size_t index) {
  RandomStream r(seed_, index);
  std::string last_reason;
  for (size_t attempt = 0; attempt < kMaxDraws; ++attempt) {
    RandomPoint p;
    p.index = index;
    p.redraws = attempt;
    RunRequest& req = p.request;
    req.hw = space_.hw[r.pick(space_.hw.size())];
    req.model = space_.models[r.pick(space_.models.size())];
    req.policy = space_.policies[r.pick(space_.policies.size())];
    p.prompt = r.log_uniform_int(1, space_.max_prompt);
    p.gen = r.chance(0.1) ? 0 : r.log_uniform_int(1, space_.max_gen);

    const std::vector<ParameterProvenance>& hw = hw_params(req.hw);
    for (const ParameterProvenance& q : hw) p.values[q.path] = q.value;
    const size_t perturbed = r.chance(kShippedProfileShare) ? 0 : 1 + r.pick(3);
    for (size_t k = 0; k < perturbed && !hw.empty(); ++k) {
      const ParameterProvenance& q = hw[r.pick(hw.size())];
      const ParameterValue v = clamped(scaled(p.values[q.path], r.log_uniform(0.5, 2.0)));
      replace_set(req.sets, set_text(q.path, v));
      p.values[q.path] = v;
    }
    for (const ParameterProvenance& q : policy_params(req.policy)) {
      p.values[q.path] = q.value;
      if (!r.chance(kPolicyParamChance)) continue;
      const ParameterValue v = clamped(scaled(q.value, r.log_uniform(0.5, 2.0)));
      req.sets.push_back(set_text(q.path, v));
      p.values[q.path] = v;
    }
    for (const auto& [path, options] : choices_[req.policy])
      if (r.chance(kPolicyParamChance))
        req.sets.push_back(path + "=" + options[r.pick(options.size())]);

    const PolicyInfo* info = find_policy(req.policy);
    p.can_offload = info && info->make()->can_offload();
    const auto capacity = p.values.find("hw.dram.capacity");
    p.dram_capacity = capacity != p.values.end() ? capacity->second.scalar : 0;
    if (p.can_offload && p.dram_capacity > 2e9 && r.chance(0.5)) {
      p.memory_budget = r.log_uniform(1e9, p.dram_capacity);
      req.sets.push_back(
          fmt::format("workload.memory={}", format_quantity(p.memory_budget, Dim::kBytes)));
    }
    if (p.can_offload && r.chance(0.3))
      req.sets.push_back(fmt::format("workload.ffn_offload={}", r.uniform()));
    req.sets.push_back(fmt::format("workload.prompt={}", p.prompt));
    req.sets.push_back(fmt::format("workload.gen={}", p.gen));
    last_reason = screen(req, cache_);
    if (last_reason.empty()) return p;
  }
  throw std::runtime_error(
      fmt::format("random check: {} draws of point {} were all rejected, the "
                  "last because: {}",
                  kMaxDraws, index, last_reason));
}

}  // namespace socsim::check
