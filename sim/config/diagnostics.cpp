// Diagnostic formatting and the edit-distance hint used by every strict reader.
#include "sim/config/diagnostics.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <iterator>

namespace socsim {

std::string Diagnostic::to_string() const {
  std::string where = loc.file.empty() ? std::string("<input>") : loc.file;
  if (loc.line > 0) where += fmt::format(":{}", loc.line);
  if (loc.line > 0 && loc.col > 0) where += fmt::format(":{}", loc.col);
  const char* sev = severity == Severity::kError     ? "error"
                    : severity == Severity::kWarning ? "warning"
                                                     : "note";
  return fmt::format("{}: {}: {}", where, sev, message);
}

SourceLoc SourceMap::find(const std::string& path, const std::string& file) const {
  std::string p = path;
  for (;;) {
    for (auto it = own_.rbegin(); it != own_.rend(); ++it)  // the latest record wins (overrides)
      if (it->first == p) return it->second;
    if (shared_)
      for (auto it = shared_->rbegin(); it != shared_->rend(); ++it)
        if (it->first == p) return it->second;
    const size_t dot = p.rfind('.');
    if (dot == std::string::npos) return {file, 0, 0};
    p.resize(dot);
  }
}

void SourceMap::freeze() {
  if (own_.empty()) return;
  Records all = shared_ ? *shared_ : Records();
  all.insert(all.end(), std::make_move_iterator(own_.begin()), std::make_move_iterator(own_.end()));
  own_.clear();
  shared_ = std::make_shared<const Records>(std::move(all));
}

void Diagnostics::error(SourceLoc loc, std::string message) {
  items_.push_back({Severity::kError, std::move(loc), std::move(message)});
  ++errors_;
}
void Diagnostics::warning(SourceLoc loc, std::string message) {
  items_.push_back({Severity::kWarning, std::move(loc), std::move(message)});
}
void Diagnostics::note(SourceLoc loc, std::string message) {
  items_.push_back({Severity::kNote, std::move(loc), std::move(message)});
}

std::string Diagnostics::to_string() const {
  std::string out;
  for (const Diagnostic& d : items_) out += d.to_string() + "\n";
  return out;
}

void Diagnostics::append(const Diagnostics& other) {
  for (const Diagnostic& d : other.items_) {
    items_.push_back(d);
    if (d.severity == Severity::kError) ++errors_;
  }
}

void Diagnostics::throw_if_errors() const {
  if (has_errors()) throw InputError(*this);
}

InputError::InputError(Diagnostics diags)
    : std::runtime_error(diags.to_string()), diags_(std::move(diags)) {}

static Diagnostics single(SourceLoc loc, const std::string& message) {
  Diagnostics d;
  d.error(std::move(loc), message);
  return d;
}

InputError::InputError(SourceLoc loc, const std::string& message)
    : InputError(single(std::move(loc), message)) {}

// Optimal-string-alignment distance, case-insensitive: insertions, deletions, substitutions and
// swaps of neighbouring characters ("idel" -> "idle") each cost 1.
static size_t edit_distance(const std::string& a, const std::string& b) {
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // About one edit per three characters, at least one: "clok" -> "clock", but "x" is not "by".
  const size_t limit = std::max<size_t>(1, (word.size() + 2) / 3);
  std::string best;
  size_t best_d = limit + 1;
  for (const std::string& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace socsim
