// An app session: the requests one app sends to the on-device model over minutes (UI-automation
// steps, chat turns, a background summarisation), read from a strict YAML file
// (experiments/sessions/*.yaml) through its declaration (visit_session), with how the SoC schedules
// them. A request arrives at a fixed time or a think time after an earlier request's reply, brings
// new prompt tokens and may reuse the KV cache of a prefix: the session's system prompt, or an
// earlier request's whole context (its prefix, prompt and reply: the conversation so far).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/schema.hpp"

namespace socsim {

struct SessionRequest {
  double arrival = kUnset;  // seconds from the session's start; unset = `after` + `think`
  std::string after;        // the request whose reply this one waits for
  double think = 0;         // seconds from that reply to this request
  int64_t prompt = 1;       // new prompt tokens
  std::string prefix;       // "" none, "system", or an earlier request whose context it extends
  int64_t gen = 1;          // tokens to generate (the first from prefill)
  int64_t priority = 0;     // higher is served first among waiting requests
};

inline constexpr std::array<std::string_view, 3> kSessionSchedulers{"fcfs", "sarathi", "layered"};

struct SessionSpec {
  int64_t schema_version = 1;
  std::string name;
  std::string description;
  int64_t system_prompt = 0;  // tokens of a system prompt every request may share
  std::vector<std::pair<std::string, SessionRequest>> requests;  // by id, in file order
  // Scheduling of the session on the SoC.
  std::string scheduler = "fcfs";
  int64_t token_budget = 256;  // sarathi: rows of one pass (decodes first, then a prefill chunk)
  int64_t layer_group = 0;     // layered: layers of a prefill per pass; 0 = a quarter of the model
  int64_t decode_slice = 32;   // fcfs: decode tokens simulated per step (arrivals, thermal between)
  bool reuse_prefix = true;    // keep finished requests' KV for later prefixes within the budget

  // Index of a request by id, or -1.
  int find(std::string_view id) const;
};

void visit_session(FieldVisitor& v, SessionSpec& s);
// One request of `prompt` tokens and `gen` generated at time 0: how a single run is simulated
// when it must be stepped (the thermal governor acts between steps).
SessionSpec single_request_session(int64_t prompt, int64_t gen);
// Cross-field rules: exactly one of arrival / after, references to earlier requests only, a
// system prefix only with a system prompt. Reported into diags at the keys' locations.
void finalize_session(const SessionSpec& s, const std::string& file, Diagnostics& diags,
                      const SourceMap& where = {});
// Reads without finalising (overrides are applied between the two).
SessionSpec read_session(const std::string& path, Diagnostics& diags, SourceMap* where = nullptr);

}  // namespace socsim
