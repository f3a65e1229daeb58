// Declaration, checks and reading of session files; see session_spec.hpp.
#include "sim/session/session_spec.hpp"

#include <fmt/format.h>
#include <cmath>

#include "sim/config/yaml_reader.hpp"

namespace socsim {

static void visit_request(FieldVisitor& v, SessionRequest& r) {
  v.quantity(
      "arrival", r.arrival, Dim::kTime,
      {"arrival time from the session's start (give this or `after`)", std::nullopt, 0, 1e7, true});
  v.text("after", r.after,
         {"id of an earlier request: this one arrives `think` after its last token", ""});
  v.quantity("think", r.think, Dim::kTime,
             {"time from the `after` request's last token to this request (user reading, app "
              "acting on the reply)",
              "0s", 0, 1e6});
  v.integer("prompt", r.prompt, {"new prompt tokens of this request", std::nullopt, 1, 1 << 20});
  v.text("prefix", r.prefix,
         {"KV prefix this request extends: `system` (the session's system prompt), the id of an "
          "earlier request (its whole context: prefix, prompt and reply), or empty",
          ""});
  v.integer("gen", r.gen,
            {"tokens to generate; the first comes out of prefill", std::nullopt, 1, 1 << 20});
  v.integer(
      "priority", r.priority,
      {"higher is served first among waiting requests (ties: arrival order)", "0", -1000, 1000});
}

void visit_session(FieldVisitor& v, SessionSpec& s) {
  v.integer("schema_version", s.schema_version, {"session file format version", "1", 1, 1});
  v.text("name", s.name, {"session name", std::nullopt});
  v.text("description", s.description, {"what the session is and where its numbers come from", ""});
  v.integer("system_prompt", s.system_prompt,
            {"tokens of a system prompt whose KV every request with `prefix: system` shares "
             "(computed once, by the first such request)",
             "0", 0, 1 << 20});
  named_entries(v, "requests", {"the requests by id, in arrival order of the file"}, s.requests,
                &visit_request);
  v.choice("scheduler", s.scheduler, kSessionSchedulers,
           {"fcfs: one request at a time to its end, by priority then arrival; sarathi: every "
            "pass decodes each running request and fills the rest of `token_budget` with a "
            "prefill chunk (arXiv 2308.16369); layered: every pass decodes each running request "
            "and runs one waiting prompt through `layer_group` more layers",
            "fcfs"});
  v.integer(
      "token_budget", s.token_budget,
      {"sarathi: rows of one pass (decode tokens plus the prefill chunk)", "256", 2, 1 << 16});
  v.integer("layer_group", s.layer_group,
            {"layered: layers a prefill advances per pass; 0 = a quarter of the model's layers",
             "0", 0, 1 << 12});
  v.integer("decode_slice", s.decode_slice,
            {"fcfs: decode tokens simulated per step; arrivals and the thermal governor act "
             "between steps",
             "32", 1, 1 << 20});
  v.flag("reuse_prefix", s.reuse_prefix,
         {"keep finished requests' KV cache for later requests that extend them, as memory "
          "allows (evicted oldest first and then recomputed)",
          "true"});
}

SessionSpec single_request_session(int64_t prompt, int64_t gen) {
  SessionSpec s;
  s.name = "single run";
  SessionRequest r;
  r.arrival = 0, r.prompt = prompt, r.gen = gen;
  s.requests.emplace_back("request", r);
  return s;
}

int SessionSpec::find(std::string_view id) const {
  for (size_t i = 0; i < requests.size(); ++i)
    if (requests[i].first == id) return static_cast<int>(i);
  return -1;
}

void finalize_session(const SessionSpec& s, const std::string& file, Diagnostics& d,
                      const SourceMap& where) {
  auto at = [&](const std::string& id, std::string_view key) {
    return where.find(fmt::format("requests.{}.{}", id, key), file);
  };
  if (s.requests.empty()) d.error(where.find("requests", file), "a session needs a request");
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const auto& [id, r] = s.requests[i];
    const bool timed = !std::isnan(r.arrival);
    if (timed == !r.after.empty())
      d.error(at(id, timed ? "after" : "prompt"),
              fmt::format("request '{}' needs exactly one of `arrival` and `after`", id));
    if (!r.after.empty()) {
      const int k = s.find(r.after);
      if (k < 0 || static_cast<size_t>(k) >= i)
        d.error(at(id, "after"),
                fmt::format("request '{}': `after: {}` names no earlier request", id, r.after));
    }
    if (timed && r.think != 0)
      d.error(at(id, "think"), fmt::format("request '{}': `think` needs `after`", id));
    if (r.prefix == "system") {
      if (s.system_prompt == 0)
        d.error(
            at(id, "prefix"),
            fmt::format("request '{}': `prefix: system` but the session has no system_prompt", id));
    } else if (!r.prefix.empty()) {
      const int k = s.find(r.prefix);
      if (k < 0 || static_cast<size_t>(k) >= i)
        d.error(at(id, "prefix"),
                fmt::format("request '{}': `prefix: {}` names no earlier request (or `system`)", id,
                            r.prefix));
    }
  }
}

SessionSpec read_session(const std::string& path, Diagnostics& d, SourceMap* where) {
  SessionSpec s;
  std::optional<YAML::Node> root = load_yaml_file(path, d);
  if (!root) return s;
  YamlReader r(path, *root, d);
  r.record_locations(where);
  r.read_root([&](FieldVisitor& v) { visit_session(v, s); });
  return s;
}

}  // namespace socsim
