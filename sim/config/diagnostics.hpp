// Compiler-style diagnostics for every input socsim reads. Loaders never stop at the first problem:
// they add each error with its location ("hwprofiles/x.yaml:42:17: error: ...") to a Diagnostics
// list, and the caller decides. Library code signals failure by throwing InputError, which carries
// the whole list; only `main` prints it and chooses the exit code (2 for bad input).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace socsim {

struct SourceLoc {
  std::string file;  // path as given, or a pseudo-source such as "--set"
  int line = 0;      // 1-based; 0 when unknown
  int col = 0;       // 1-based; 0 when unknown
};

// Where each key of an input was written, by dotted path ("npu.clock"), so that checks made
// after reading (cross-field rules) can still point at the line.
class SourceMap {
 public:
  void record(std::string path, SourceLoc loc) {
    own_.emplace_back(std::move(path), std::move(loc));
  }
  // The location of `path`, or of its closest recorded parent, or just `file`.
  SourceLoc find(const std::string& path, const std::string& file) const;
  // Makes the records so far shared and read-only, so that copies of this map (one per design
  // point loaded from a cached file) share them instead of copying each path; later records
  // are still the copy's own and take precedence.
  void freeze();

 private:
  using Records = std::vector<std::pair<std::string, SourceLoc>>;
  std::shared_ptr<const Records> shared_;
  Records own_;
};

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;
  std::string to_string() const;  // "file:line:col: error: message"
};

class Diagnostics {
 public:
  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);
  void note(SourceLoc loc, std::string message);
  bool has_errors() const { return errors_ > 0; }
  int error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  std::string to_string() const;  // one line per diagnostic
  void append(const Diagnostics& other);
  // Throws InputError holding everything collected so far if any error was reported.
  void throw_if_errors() const;

 private:
  std::vector<Diagnostic> items_;
  int errors_ = 0;
};

// Bad input: a configuration, model, profile or command-line value that cannot be used.
class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostics diags);
  InputError(SourceLoc loc, const std::string& message);
  const Diagnostics& diagnostics() const { return diags_; }

 private:
  Diagnostics diags_;
};

// Closest candidate by edit distance for "did you mean" hints; empty when nothing is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace socsim
