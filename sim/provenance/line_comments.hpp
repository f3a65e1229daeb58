// The comments of a YAML file, line by line, read from its raw text (yaml-cpp drops comments).
// A `#` starts a comment at the start of a line or after a space or tab, outside quoted scalars,
// as in YAML; the comment's text is what follows the `#` and its spaces.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socsim {

struct LineComment {
  std::string_view text;  // after '#' and spaces, without trailing spaces
  int col = 0;            // 1-based column of the text's first character
};

class LineComments {
 public:
  LineComments() = default;
  explicit LineComments(const std::string& text);
  // The comment on a 1-based line, or nullopt when the line has none (or does not exist).
  std::optional<LineComment> on_line(int line) const;

 private:
  std::vector<std::string> lines_;
};

}  // namespace socsim
