// Provenance tag parsing; see tag_parser.hpp.
#include "sim/provenance/tag_parser.hpp"

#include <fmt/format.h>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace socsim {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

size_t skip_spaces(std::string_view s, size_t pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  return pos;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

TagParse fail(size_t at, std::string message) {
  TagParse p;
  p.error = std::move(message);
  p.error_at = at;
  return p;
}

// The text after "word ... :" up to the end; an error when it is empty.
TagParse after_colon(std::string_view text, size_t colon, ProvenanceKind kind,
                     std::string_view what) {
  std::string_view source = trim_right(text.substr(colon + 1));
  source.remove_prefix(skip_spaces(source, 0));
  if (source.empty())
    return fail(colon, fmt::format("'{}:' needs {} after the colon", kind_name(kind), what));
  TagParse p;
  p.tag.kind = kind;
  p.tag.source = std::string(source);
  return p;
}

struct RangeEnd {
  bool relative = false;
  double value = 0;
  std::string error;
};

RangeEnd parse_end(std::string_view s, Dim dim) {
  RangeEnd e;
  if (!s.empty() && s.front() == 'x') {
    e.relative = true;
    const std::string number(s.substr(1));
    char* end = nullptr;
    e.value = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(e.value))
      e.error = fmt::format("'{}' is not a factor such as x0.5", s);
    else if (e.value <= 0)
      e.error = fmt::format("the factor '{}' must be positive", s);
    return e;
  }
  QuantityParse q = parse_quantity(s, dim);
  if (!q.value)
    e.error = q.error;
  else
    e.value = *q.value;
  return e;
}

TagParse parse_assumption(std::string_view text, size_t pos, Dim dim,
                          std::string_view relative_only) {
  pos = skip_spaces(text, pos);
  std::string key;  // `assumption KEY [..]`: the range is one value's of a line of several
  const size_t key_at = pos;
  while (pos < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
    key += text[pos++];
  if (!key.empty()) {
    if (relative_only != "a line of several values")
      return fail(key_at, fmt::format("'assumption {}' names a value, which only a line of "
                                      "several values can do: assumption [LO, HI]: REASON",
                                      key));
    pos = skip_spaces(text, pos);
  }
  if (pos >= text.size() || text[pos] != '[')
    return fail(pos, "'assumption' needs its plausible range: assumption [LO, HI]: REASON");
  const size_t open = pos, close = text.find(']', open);
  if (close == std::string_view::npos) return fail(open, "the range has no closing ']'");
  const std::string_view inside = text.substr(open + 1, close - open - 1);
  const size_t comma = inside.find(',');
  if (comma == std::string_view::npos || inside.find(',', comma + 1) != std::string_view::npos)
    return fail(open, "a range has two ends: [LO, HI]");
  RangeEnd ends[2];
  for (int i = 0; i < 2; ++i) {
    const size_t from = i == 0 ? 0 : comma + 1;
    const size_t to = i == 0 ? comma : inside.size();
    const size_t b = skip_spaces(inside, from);
    const std::string_view part = trim_right(inside.substr(b, to - b));
    const size_t at = open + 1 + b;
    if (!relative_only.empty() && (part.empty() || part.front() != 'x'))
      return fail(at, fmt::format("{} takes a relative range [xLO, xHI]", relative_only));
    ends[i] = parse_end(part, dim);
    if (!ends[i].error.empty()) return fail(at, "range end: " + ends[i].error);
    if (i == 1 && ends[0].relative != ends[1].relative)
      return fail(at, "both ends of a range are factors (x0.5) or both values, not one of each");
  }
  ProvenanceRange r{ends[0].relative, ends[0].value, ends[1].value};
  if (r.lo > r.hi)
    return fail(open + 1,
                fmt::format("the range's low end is above its high end: {}", range_text(r, dim)));
  const size_t colon = skip_spaces(text, close + 1);
  if (colon >= text.size() || text[colon] != ':')
    return fail(colon, "expected ':' after the range: assumption [LO, HI]: REASON");
  TagParse p = after_colon(text, colon, ProvenanceKind::kAssumption, "its reason");
  p.tag.range = r;
  p.tag.range_key = std::move(key);
  return p;
}

}  // namespace

TagParse parse_provenance_tag(std::string_view text, Dim dim, std::string_view relative_only) {
  size_t end = 0;
  while (end < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
    ++end;
  const std::string_view word = text.substr(0, end);
  if (word == "assumption") return parse_assumption(text, end, dim, relative_only);
  ProvenanceKind kind = ProvenanceKind::kUntagged;
  if (word == "measured") kind = ProvenanceKind::kMeasured;
  if (word == "datasheet") kind = ProvenanceKind::kDatasheet;
  if (kind == ProvenanceKind::kUntagged) {
    TagParse p;
    p.tag.source = std::string(trim_right(text));
    return p;
  }
  const size_t colon = skip_spaces(text, end);
  if (colon >= text.size() || text[colon] != ':')
    return fail(colon, fmt::format("expected ':' after '{}' ({}: SOURCE)", word, word));
  return after_colon(text, colon, kind, "its source");
}

std::string range_excludes(const ProvenanceRange& r, double value, Dim dim) {
  if (r.relative) {
    if (r.lo <= 1 && 1 <= r.hi) return {};
    return fmt::format("the range {} does not contain the value itself (x1)", range_text(r, dim));
  }
  if (r.lo <= value && value <= r.hi) return {};
  return fmt::format("the range {} does not contain the value {}", range_text(r, dim),
                     format_quantity(value, dim));
}

std::string range_text(const ProvenanceRange& r, Dim dim) {
  if (r.relative) return fmt::format("[x{:g}, x{:g}]", r.lo, r.hi);
  return fmt::format("[{}, {}]", format_quantity(r.lo, dim), format_quantity(r.hi, dim));
}

}  // namespace socsim
