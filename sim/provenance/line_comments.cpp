// Comments by line; see line_comments.hpp.
#include "sim/provenance/line_comments.hpp"

namespace socsim {
namespace {

bool blank(char c) {
  return c == ' ' || c == '\t';
}

// Offset of the '#' that starts the line's comment, or npos.
size_t comment_start(std::string_view line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const char before = i == 0 ? ' ' : line[i - 1];
    if (quote == '"') {
      if (c == '\\')
        ++i;  // an escaped character, possibly a quote
      else if (c == '"')
        quote = 0;
    } else if (quote == '\'') {
      if (c == '\'') quote = 0;  // '' (an escaped quote) reopens at once
    } else if ((c == '"' || c == '\'') && (blank(before) || before == ':' || before == '[' ||
                                           before == '{' || before == ',' || i == 0)) {
      quote = c;  // a quoted scalar starts here (a quote inside a plain word does not)
    } else if (c == '#' && blank(before)) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

LineComments::LineComments(const std::string& text) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines_.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
}

std::optional<LineComment> LineComments::on_line(int line) const {
  if (line < 1 || static_cast<size_t>(line) > lines_.size()) return std::nullopt;
  std::string_view l = lines_[static_cast<size_t>(line - 1)];
  const size_t hash = comment_start(l);
  if (hash == std::string_view::npos) return std::nullopt;
  size_t b = hash + 1;
  while (b < l.size() && blank(l[b])) ++b;
  std::string_view text = l.substr(b);
  while (!text.empty() && (blank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return LineComment{text, static_cast<int>(b) + 1};
}

}  // namespace socsim
