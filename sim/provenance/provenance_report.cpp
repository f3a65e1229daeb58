// Provenance tables and JSON; see provenance_report.hpp.
#include "sim/provenance/provenance_report.hpp"

#include <fmt/format.h>

#include "sim/provenance/tag_parser.hpp"

namespace socsim {

std::string value_text(const ParameterProvenance& p) {
  switch (p.value.shape) {
    case ParameterValue::Shape::kQuantity:
      return format_human(p.value.scalar, p.value.dim);
    case ParameterValue::Shape::kInteger:
      return fmt::format("{:.0f}", p.value.scalar);
    case ParameterValue::Shape::kCurve:
    case ParameterValue::Shape::kNumbers:
      return fmt::format("{} row{}", p.value.rows(), p.value.rows() == 1 ? "" : "s");
  }
  return {};
}

std::string range_text(const ParameterProvenance& p) {
  return p.range ? range_text(*p.range, p.value.dim) : std::string();
}

std::string format_provenance(const std::vector<ParameterProvenance>& params) {
  std::string out, root;
  for (size_t i = 0; i < params.size(); ++i) {
    const ParameterProvenance& p = params[i];
    const std::string r = p.path.substr(0, p.path.find('.'));
    if (r != root) {  // a header per input: where its numbers were read from
      root = r;
      std::string file = p.loc.file;
      for (size_t j = i; j < params.size() && params[j].path.rfind(r + ".", 0) == 0; ++j)
        if (params[j].loc.line > 0) {
          file = params[j].loc.file;
          break;
        }
      out += fmt::format("{} ({}):\n", root, file);
    }
    const std::string line = p.loc.line > 0 ? fmt::format(":{}", p.loc.line) : "";
    out += fmt::format("  {:<46} {:<10} {:>10} {:<18} {:<5} {}\n", p.path, kind_name(p.kind),
                       value_text(p), range_text(p), line, p.source);
  }
  out += shares_text(provenance_shares(params)) +
         fmt::format(" ({} parameters; a table counts its rows)\n", params.size());
  return out;
}

nlohmann::ordered_json provenance_json(const ParameterProvenance& p) {
  nlohmann::ordered_json j;
  j["path"] = p.path;
  j["kind"] = std::string(kind_name(p.kind));
  j["source"] = p.source;
  if (p.range)
    j["range"] = {{"relative", p.range->relative}, {"lo", p.range->lo}, {"hi", p.range->hi}};
  else
    j["range"] = nullptr;
  j["file"] = p.loc.file;
  j["line"] = p.loc.line;
  return j;
}

}  // namespace socsim
