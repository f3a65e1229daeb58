// Schedule verification; see verify.hpp.
#include "sim/verify/verify.hpp"

#include <fmt/format.h>

#include <cmath>

#include "sim/driver/simulate.hpp"

namespace socsim::verify {

ErrorStats compare(const std::vector<Mat>& got, const std::vector<Mat>& ref) {
  ErrorStats e;
  double ref_max = 0;
  if (got.size() != ref.size()) return {INFINITY, INFINITY};
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].rows() != ref[i].rows() || got[i].cols() != ref[i].cols())
      return {INFINITY, INFINITY};
    e.max_abs = std::max<double>(e.max_abs, (got[i] - ref[i]).cwiseAbs().maxCoeff());
    ref_max = std::max<double>(ref_max, ref[i].cwiseAbs().maxCoeff());
  }
  e.rel = ref_max > 0 ? e.max_abs / ref_max : e.max_abs;
  return e;
}

static std::vector<Mat> kv_rows(const std::vector<kernels::KvCache>& kv) {
  std::vector<Mat> out;
  for (const kernels::KvCache& c : kv) {
    out.push_back(c.k.topRows(c.length));
    out.push_back(c.v.topRows(c.length));
  }
  return out;
}

std::pair<std::string, double> numerics_of(const TaskGraph& g, const PlatformSpec& p) {
  int worst = 0;  // 0 fp32, 1 fp16, 2 int8 per-group, 3 int8 per-tensor
  for (OpId i = 0; i < g.size(); ++i)
    for (const OpPart& part : g.parts(i)) {
      if (part.kind != OpKind::kMatmul) continue;
      const Op& op = g.op(i);
      const bool npu = op.place.count > 0 && p.units[op.place.unit[0]].type == UnitType::kNpu;
      int level = 0;
      if (part.dtype == DType::kFp16 || part.dtype == DType::kBf16) level = 1;
      if (part.dtype == DType::kInt8 || part.dtype == DType::kInt4) level = npu ? 3 : 2;
      worst = std::max(worst, level);
    }
  // Relative logits error budgets of each format on the reference models (outlier channels 30x).
  static const std::pair<std::string, double> kTable[] = {
      {"fp32", 1e-4}, {"fp16", 2e-2}, {"int8-per-group", 0.1}, {"int8-per-tensor", 0.5}};
  return kTable[worst];
}

VerifyReport run_verify(const VerifyRequest& req) {
  LoadedRun run = load_run(req.run);
  const ReferenceModel model = build_reference_model(run.model, req.shape, req.seed);
  run.model = model.spec;
  run.workload.memory = kUnset;
  std::unique_ptr<RunOutput> sim = simulate(run, BackendKind::kSimGrid);
  const TaskGraph& g = sim->graph;

  VerifyReport r;
  r.model = model.spec.name;
  r.policy = run.policy_name;
  r.ops = g.size();
  std::vector<OpId> creation(g.size());
  for (OpId i = 0; i < g.size(); ++i) creation[i] = i;
  r.reordered = sim->dispatch_order != creation;

  const int64_t prompt = run.workload.prompt, gen = std::max<int64_t>(run.workload.gen, 1);
  const std::vector<int32_t> tokens = make_tokens(model, prompt + gen - 1, req.seed + 1);
  const ActRanges ranges =
      calibrate_ranges(model, g, sim->platform, make_tokens(model, prompt + gen - 1, req.seed + 2));
  ExecOptions opt;
  opt.ranges = &ranges;
  opt.outliers = req.outliers;
  const ForwardResult scheduled =
      Executor(model, g, sim->platform, opt).run(sim->dispatch_order, tokens);
  const ForwardResult in_order = Executor(model, g, sim->platform, opt).run(creation, tokens);
  const ForwardResult plain = reference_forward(model, tokens, prompt, gen);

  r.vs_in_order = compare(scheduled.logits, in_order.logits);
  const ErrorStats kv_order = compare(kv_rows(scheduled.kv), kv_rows(in_order.kv));
  r.vs_in_order.max_abs = std::max(r.vs_in_order.max_abs, kv_order.max_abs);
  r.logits = compare(scheduled.logits, plain.logits);
  r.kv = compare(kv_rows(scheduled.kv), kv_rows(plain.kv));
  auto [numerics, tol] = numerics_of(g, sim->platform);
  r.numerics = numerics;
  r.tolerance = req.tolerance >= 0 ? req.tolerance : tol;
  r.pass = r.vs_in_order.max_abs == 0 && r.logits.rel <= r.tolerance && std::isfinite(r.kv.rel);
  return r;
}

std::string format_report(const VerifyReport& r) {
  std::string s = fmt::format(
      "verify {} under policy '{}' ({} numerics): {} ops, dispatch order {}\n", r.model, r.policy,
      r.numerics, r.ops, r.reordered ? "differs from creation order" : "is creation order");
  s += fmt::format("  schedule vs in-order execution   max-abs {:.3g}  (must be 0)\n",
                   r.vs_in_order.max_abs);
  s += fmt::format(
      "  logits vs plain FP32 forward     max-abs {:.3g}  relative {:.3g}  (tolerance {:.3g})\n",
      r.logits.max_abs, r.logits.rel, r.tolerance);
  s += fmt::format("  KV cache vs plain FP32 forward   max-abs {:.3g}  relative {:.3g}\n",
                   r.kv.max_abs, r.kv.rel);
  s += fmt::format("  {}\n", r.pass ? "PASS" : "MISMATCH");
  return s;
}

}  // namespace socsim::verify
