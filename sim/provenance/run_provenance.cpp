// Provenance of a run's inputs; see run_provenance.hpp.
#include "sim/provenance/run_provenance.hpp"

#include <fmt/format.h>

#include "sim/config/overrides.hpp"
#include "sim/config/yaml_reader.hpp"
#include "sim/provenance/collector.hpp"

namespace socsim {
namespace {

bool is_json(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
}

std::vector<Override> overrides_of(const std::vector<std::string>& sets) {
  Diagnostics ignored;  // load_run has reported malformed ones already
  std::vector<Override> ovs;
  for (const std::string& s : sets)
    if (std::optional<Override> o = parse_override(s, ignored)) ovs.push_back(*o);
  return ovs;
}

// Reads the spec at `path` with `read`, applies the overrides of `root` and collects it beside
// the file's document and comments.
template <class Spec>
void collect_file(const std::string& root, const std::string& path,
                  Spec (*read)(const std::string&, Diagnostics&, SourceMap*),
                  void (*visit)(FieldVisitor&, Spec&), std::vector<Override> ovs,
                  std::vector<ParameterProvenance>& out, Diagnostics& d) {
  const std::optional<std::string> text = read_input_text(path, d);
  if (!text) return;
  const std::optional<YAML::Node> doc = parse_yaml_text(*text, path, d);
  if (!doc) return;
  Diagnostics read_errors;  // of this file alone: other inputs' tag errors do not stop it
  Spec spec = read(path, read_errors, nullptr);
  const auto body = [&](FieldVisitor& v) { visit(v, spec); };
  if (!read_errors.has_errors()) apply_overrides(root, ovs, body, read_errors);
  d.append(read_errors);
  if (read_errors.has_errors()) return;
  const LineComments comments(*text);
  ProvenanceInput in;
  in.root = root;
  in.file = path;
  in.overrides = &ovs;
  if (is_json(path)) {
    in.absent_source = "Hugging Face config.json";  // no comments; keys are named differently
  } else {
    in.doc = &*doc;
    in.comments = &comments;
    in.absent_source = "default (not in the file)";
  }
  collect_provenance(in, body, out, d);
}

void collect_policy(Policy& policy, const std::string& name, const std::vector<Override>& ovs,
                    std::vector<ParameterProvenance>& out, Diagnostics& d) {
  ProvenanceInput in;
  in.root = "policy";
  in.code_label = fmt::format("declared in code by policy {}", name);
  in.overrides = &ovs;
  collect_provenance(
      in, [&](FieldVisitor& v) { policy.visit_params(v); }, out, d);
}

void collect_root(const std::string& root, const std::string& path,
                  const std::vector<Override>& ovs, std::vector<ParameterProvenance>& out,
                  Diagnostics& d) {
  if (root == "hw")
    collect_file<HwSpec>(root, path, &read_hw, &visit_hw, ovs, out, d);
  else if (root == "model")
    collect_file<ModelSpec>(root, path, &read_model, &visit_model, ovs, out, d);
  else
    collect_file<EngineSpec>(root, path, &read_engine, &visit_engine, ovs, out, d);
}

}  // namespace

std::vector<ParameterProvenance> run_provenance(const LoadedRun& run,
                                                const std::vector<std::string>& sets,
                                                Diagnostics& d) {
  const std::vector<Override> ovs = overrides_of(sets);
  std::vector<ParameterProvenance> out;
  collect_root("hw", run.hw_path, ovs, out, d);
  if (!run.engine_path.empty()) collect_root("engine", run.engine_path, ovs, out, d);
  collect_root("model", run.model_path, ovs, out, d);
  collect_policy(*run.policy, run.policy_name, ovs, out, d);
  return out;
}

std::string input_root(const std::string& path, Diagnostics& d) {
  if (is_json(path)) return "model";
  const std::optional<YAML::Node> doc = load_yaml_file(path, d);
  if (doc && doc->IsMap() && (*doc)["dram"]) return "hw";
  if (doc && doc->IsMap() && (*doc)["layers"]) return "model";
  return "engine";
}

std::vector<ParameterProvenance> file_provenance(const std::string& root, const std::string& path,
                                                 Diagnostics& d) {
  std::vector<ParameterProvenance> out;
  collect_root(root, path, {}, out, d);
  return out;
}

std::vector<ParameterProvenance> policy_provenance(const std::string& name, Diagnostics& d) {
  std::vector<ParameterProvenance> out;
  const PolicyInfo* info = find_policy(name);
  if (!info) {
    d.error({"policy." + name}, fmt::format("no policy named '{}'", name));
    return out;
  }
  std::unique_ptr<Policy> policy = info->make();
  apply_policy_defaults(*policy);
  collect_policy(*policy, name, {}, out, d);
  return out;
}

}  // namespace socsim
