// `socsim compare`: one model on one phone under every policy that can run it (or the listed
// ones), a row each: TTFT, prefill and decode tokens/s, energy, peak memory; the policies that
// cannot run the model say why. Each policy runs in its own child process, so every row is what
// `socsim run --policy P` prints. The quick start's main job.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "sim/cli/commands.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/policy/policy.hpp"
#include "sim/report/result_json.hpp"

namespace socsim::cli {
namespace {

struct CompareOptions {
  RunRequest req;
  int64_t prompt = 256, gen = 32;
  std::string memory, policies, html, json;
};

struct Row {
  std::string policy;
  nlohmann::json result;  // null when the policy cannot run the model
  std::string why;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  size_t a = 0;
  while (a <= s.size()) {
    size_t b = s.find(',', a);
    if (b == std::string::npos) b = s.size();
    if (b > a) v.push_back(s.substr(a, b - a));
    a = b + 1;
  }
  return v;
}

Row run_policy(const RunRequest& base, const std::string& policy) {
  Row row{policy, nullptr, ""};
  RunRequest req = base;
  req.policy = policy;
  const std::string text = run_isolated_bytes([&] {
    nlohmann::json out;
    try {
      const LoadedRun loaded = load_run(req);
      const auto r = simulate(loaded, BackendKind::kSimGrid);
      out["result"] = result_json(loaded, *r);
    } catch (const InputError& e) {
      const auto& all = e.diagnostics().all();
      out["why"] = all.empty() ? std::string("bad input") : all.front().message;
    } catch (const InfeasibleError& e) {
      out["why"] = e.what();
    }
    return out.dump();
  });
  const nlohmann::json j = nlohmann::json::parse(text);
  if (j.contains("result"))
    row.result = j["result"];
  else
    row.why = j.value("why", "");
  return row;
}

// Columns: header, result key, scale, digits.
struct Column {
  const char* header;
  const char* key;
  double scale;
  int digits;
};
const Column kColumns[] = {
    {"TTFT (s)", "ttft_s", 1, 3},
    {"prefill (tok/s)", "prefill_tokens_per_s", 1, 1},
    {"decode (tok/s)", "decode_tokens_per_s", 1, 2},
    {"energy (J)", "energy_j", 1, 2},
    {"J/token decode", "decode_j_per_token", 1, 3},
    {"peak memory (GB)", "peak_memory_bytes", 1e-9, 2},
};

std::string cell(const Row& r, const Column& c) {
  const double v = r.result.value(c.key, 0.0) * c.scale;
  return fmt::format("{:.{}f}", v, c.digits);
}

std::string text_table(const std::vector<Row>& rows) {
  std::string s = fmt::format("{:<13}", "policy");
  for (const Column& c : kColumns) s += fmt::format(" {:>16}", c.header);
  s += "\n";
  for (const Row& r : rows) {
    s += fmt::format("{:<13}", r.policy);
    if (r.result.is_null()) {
      s += "  cannot run: " + r.why + "\n";
      continue;
    }
    for (const Column& c : kColumns) s += fmt::format(" {:>16}", cell(r, c));
    s += "\n";
  }
  return s;
}

std::string escape(const std::string& t) {
  std::string s;
  for (char ch : t)
    s += ch == '<' ? "&lt;" : ch == '>' ? "&gt;" : ch == '&' ? "&amp;" : std::string(1, ch);
  return s;
}

std::string html_table(const std::vector<Row>& rows, const std::string& title) {
  std::string s = "<!doctype html><meta charset=utf-8><title>" + escape(title) +
                  "</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;"
                  "text-align:right}td:first-child{text-align:left}</style><h1>" +
                  escape(title) + "</h1><table><tr><th>policy</th>";
  for (const Column& c : kColumns) s += "<th>" + escape(c.header) + "</th>";
  s += "</tr>\n";
  for (const Row& r : rows) {
    s += "<tr><td>" + escape(r.policy) + "</td>";
    if (r.result.is_null())
      s += fmt::format("<td colspan={} style=text-align:left>cannot run: {}</td>",
                       std::size(kColumns), escape(r.why));
    else
      for (const Column& c : kColumns) s += "<td>" + cell(r, c) + "</td>";
    s += "</tr>\n";
  }
  return s + "</table>\n";
}

void compare(const CompareOptions& o, int& exit_code) {
  RunRequest base = o.req;
  base.sets.insert(base.sets.begin(), {fmt::format("workload.prompt={}", o.prompt),
                                       fmt::format("workload.gen={}", o.gen)});
  if (!o.memory.empty()) base.sets.push_back("workload.memory=" + o.memory);
  for (const std::string& s : base.sets)
    if (s.rfind("policy.", 0) == 0)
      throw InputError({"--set " + s},
                       "compare runs every policy: policy parameters differ by "
                       "policy, use `socsim run --policy P --set ...`");
  // The inputs themselves must be good: a typo is an error, not a row of "cannot run".
  {
    (void)run_isolated_bytes([&] { return (void)load_run(base), std::string(); });
  }
  // By default every policy but the template for new ones (sim/policy/skeleton/).
  std::vector<std::string> names;
  if (o.policies.empty()) {
    for (const std::string& n : policy_names())
      if (n != "skeleton") names.push_back(n);
  } else {
    names = split(o.policies);
  }
  for (const std::string& n : names)
    if (!find_policy(n))
      throw InputError({"--policies " + o.policies}, "unknown policy '" + n + "'");
  std::vector<Row> rows;
  for (const std::string& n : names) rows.push_back(run_policy(base, n));
  const std::string title = fmt::format("{} on {}, {}-token prompt, {} generated", o.req.model,
                                        o.req.hw, o.prompt, o.gen);
  std::cout << title << "\n" << text_table(rows);
  if (!o.html.empty()) {
    std::ofstream f(o.html);
    if (!f) throw InputError({o.html}, "cannot open for writing");
    f << html_table(rows, title);
  }
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    if (!f) throw InputError({o.json}, "cannot open for writing");
    nlohmann::json j = nlohmann::json::array();
    for (const Row& r : rows)
      j.push_back({{"policy", r.policy}, {"result", r.result}, {"cannot_run", r.why}});
    f << j.dump(2) << "\n";
  }
  size_t ran = 0;
  for (const Row& r : rows) ran += !r.result.is_null();
  exit_code = ran > 0 ? 0 : 3;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* sub = app.add_subcommand(
      "compare",
      "one model on one phone under every policy that can run it: a table of TTFT, "
      "prefill/decode tokens/s, energy and peak memory");
  sub->add_option("--hw", o->req.hw, "hardware profile: shipped name or YAML path")
      ->capture_default_str();
  sub->add_option("--model", o->req.model, "model: shipped name, YAML or config.json path")
      ->capture_default_str();
  sub->add_option("--prompt", o->prompt, "prompt tokens")->capture_default_str();
  sub->add_option("--gen", o->gen, "tokens to generate")->capture_default_str();
  sub->add_option("--memory", o->memory, "memory budget, e.g. 8GB");
  sub->add_option("--set", o->req.sets, "hw.PATH=V, model.PATH=V or workload.PATH=V");
  sub->add_option("--policies", o->policies,
                  "comma-separated policies (default: all but the skeleton template)");
  sub->add_option("--html", o->html, "also write the table as an HTML page");
  sub->add_option("--json", o->json, "also write every run's result as JSON");
  sub->callback([o, &exit_code] { compare(*o, exit_code); });
}

}  // namespace socsim::cli
