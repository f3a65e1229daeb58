// Provenance kinds and shares; see provenance.hpp.
#include "sim/provenance/provenance.hpp"

#include <fmt/format.h>

namespace socsim {

std::string_view kind_name(ProvenanceKind k) {
  switch (k) {
    case ProvenanceKind::kMeasured:
      return "measured";
    case ProvenanceKind::kDatasheet:
      return "datasheet";
    case ProvenanceKind::kAssumption:
      return "assumption";
    case ProvenanceKind::kUntagged:
      return "untagged";
  }
  return "untagged";
}

ProvenanceShares provenance_shares(const std::vector<ParameterProvenance>& params) {
  ProvenanceShares s;
  s.parameters = params.size();
  for (const ParameterProvenance& p : params)
    for (size_t i = 0; i < p.numbers(); ++i) {
      ++s.numbers;
      ++s.by_kind[static_cast<int>(p.number_kind(i))];
    }
  return s;
}

std::string shares_text(const ProvenanceShares& s) {
  std::string out = fmt::format("{} numbers", s.numbers);
  for (int k = 0; k < kProvenanceKinds; ++k) {
    const double pct =
        s.numbers > 0 ? 100.0 * static_cast<double>(s.by_kind[k]) / static_cast<double>(s.numbers)
                      : 0.0;
    out += fmt::format("{} {:.0f}% {}", k == 0 ? ":" : ",", pct,
                       kind_name(static_cast<ProvenanceKind>(k)));
  }
  return out;
}

}  // namespace socsim
