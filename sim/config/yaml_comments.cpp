// Comment removal before YAML parsing; see yaml_comments.hpp.
#include "sim/config/yaml_comments.hpp"

#include <cstring>
#include <string_view>

namespace socsim {
namespace {

// Where a quoted scalar can begin: at the start of a line's content or after an indicator that
// opens a value (`key: `, `- `, `[`, `{`, `,`). Elsewhere a quote is part of a plain scalar
// (it's, O'Neil).
bool scalar_may_start(std::string_view line, size_t i) {
  size_t j = i;
  while (j > 0 && (line[j - 1] == ' ' || line[j - 1] == '\t')) --j;
  if (j == 0) return true;
  const char c = line[j - 1];
  if (c == '[' || c == '{' || c == ',') return true;
  if ((c == ':' || c == '-' || c == '?') && j < i) return true;  // an indicator and a space
  return false;
}

// True when the stripped line opens a block scalar (`key: |`, `- >-`, `|2` ...).
bool opens_block_scalar(std::string_view line) {
  size_t end = line.size();
  while (end > 0 && line[end - 1] == ' ') --end;
  size_t k = end;
  while (k > 0 && std::strchr("+-0123456789", line[k - 1]) != nullptr) --k;
  if (k == 0 || (line[k - 1] != '|' && line[k - 1] != '>')) return false;
  return k == 1 || line[k - 2] == ' ';
}

}  // namespace

std::string strip_yaml_comments(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line = std::string_view(text).substr(pos, nl - pos);
    char quote = 0;
    size_t cut = std::string::npos;
    for (size_t i = 0; i < line.size() && cut == std::string::npos; ++i) {
      const char c = line[i];
      if (quote == '"') {
        if (c == '\\')
          ++i;
        else if (c == '"')
          quote = 0;
      } else if (quote == '\'') {
        if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'')
          ++i;  // '' is a quote inside the scalar
        else if (c == '\'')
          quote = 0;
      } else if ((c == '"' || c == '\'') && scalar_may_start(line, i)) {
        quote = c;
      } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        cut = i;
      }
    }
    std::string_view kept = line.substr(0, cut);
    if (cut != std::string::npos)
      while (!kept.empty() && (kept.back() == ' ' || kept.back() == '\t')) kept.remove_suffix(1);
    out += kept;
    // A quoted scalar still open at the end of the line, or a block scalar, makes the following
    // lines content whose '#' may not be a comment: keep the rest as it is.
    if (quote != 0 || opens_block_scalar(kept)) {
      out.append(text, nl, std::string::npos);
      return out;
    }
    if (nl < text.size()) out += '\n';
    pos = nl + 1;
  }
  return out;
}

}  // namespace socsim
