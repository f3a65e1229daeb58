// Provenance of a spec's numbers; see collector.hpp.
#include "sim/provenance/collector.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "sim/provenance/tag_parser.hpp"

namespace socsim {
namespace {

// A parameter whose tag is read once the whole spec has been walked (only then is it known
// which lines hold several values).
struct Pending {
  size_t param = 0;
  std::string key;        // path in the file, for messages ("cpu.big.idle_power")
  int line = 0, col = 0;  // the value's (scalar) or the key's (table) position; 0: not in the doc
  std::vector<int> rows;  // tables: each row's line
  std::string_view code_tag;  // the declared default's tag, for a value not in the document
  bool overridden = false;
};

class Collector final : public FieldVisitor {
 public:
  Collector(const ProvenanceInput& in, std::vector<ParameterProvenance>& out, Diagnostics& diags)
      : in_(in), out_(out), diags_(diags) {
    frames_.push_back({in.doc ? *in.doc : YAML::Node(YAML::NodeType::Undefined), ""});
  }

  void quantity(std::string_view key, double& v, Dim dim, const FieldInfo& info) override {
    scalar(key, v, dim, info, ParameterValue::Shape::kQuantity);
  }
  void integer(std::string_view key, int64_t& v, const FieldInfo& info) override {
    if (info.derived && static_cast<double>(v) < info.min) return;  // unset (left at 0)
    scalar(key, static_cast<double>(v), Dim::kNumber, info, ParameterValue::Shape::kInteger);
  }
  void flag(std::string_view, bool&, const FieldInfo&) override {}
  void text(std::string_view, std::string&, const FieldInfo&) override {}
  void choice(std::string_view, std::string&, std::span<const std::string_view>,
              const FieldInfo&) override {}
  void section(std::string_view key, const FieldInfo&, bool* present,
               const std::function<void(FieldVisitor&)>& body) override {
    if (present && !*present) return;  // an absent optional section has no parameters
    frames_.push_back({child(key).second, below(key)});
    body(*this);
    frames_.pop_back();
  }
  void entries(std::string_view key, const FieldInfo&, bool named, EntryList& list) override {
    const YAML::Node n = child(key).second;
    const std::string base = below(key);
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string name = named ? list.name(i) : std::to_string(i);
      YAML::Node e(YAML::NodeType::Undefined);
      if (named && n.IsMap()) {
        for (const auto& kv : n)
          if (kv.first.Scalar() == name) e.reset(kv.second);
      } else if (!named && n.IsSequence() && i < n.size()) {
        e.reset(n[i]);
      }
      frames_.push_back({e, base + "." + name});
      list.visit(i, *this);
      frames_.pop_back();
    }
  }
  void curve(std::string_view key, std::vector<std::pair<double, double>>& points, Dim x, Dim y,
             const FieldInfo& info) override {
    if (points.empty()) return;
    ParameterValue v;
    v.shape = ParameterValue::Shape::kCurve;
    v.dim = y;
    v.x_dim = x;
    v.points = points;
    table(key, std::move(v), info);
  }
  void numbers(std::string_view key, std::vector<double>& values, Dim dim,
               const FieldInfo& info) override {
    if (values.empty()) return;
    ParameterValue v;
    v.shape = ParameterValue::Shape::kNumbers;
    v.dim = dim;
    v.values = values;
    table(key, std::move(v), info);
  }

  void finish();

 private:
  struct Frame {
    YAML::Node node;   // undefined when this part of the spec is not in the document
    std::string path;  // below the root, "" at the root
  };

  std::string below(std::string_view key) const {
    const std::string& p = frames_.back().path;
    return p.empty() ? std::string(key) : p + "." + std::string(key);
  }
  std::pair<YAML::Node, YAML::Node> child(std::string_view key) const {
    const YAML::Node& n = frames_.back().node;
    if (n.IsMap())
      for (const auto& kv : n)
        if (kv.first.Scalar() == key) return {kv.first, kv.second};
    return {YAML::Node(YAML::NodeType::Undefined), YAML::Node(YAML::NodeType::Undefined)};
  }
  const Override* override_of(const std::string& key) const {
    const Override* found = nullptr;
    if (in_.overrides)
      for (const Override& o : *in_.overrides)
        if (o.root == in_.root && o.path == key) found = &o;  // the last one wins
    return found;
  }
  // Starts a parameter at `key`: path, overrides, position of `at` in the document.
  Pending& begin(std::string_view key, ParameterValue value, const FieldInfo& info,
                 const YAML::Node& at) {
    Pending pd;
    pd.param = out_.size();
    pd.key = below(key);
    ParameterProvenance p;
    p.path = in_.root + "." + pd.key;
    value.min = info.min;
    value.max = info.max;
    p.value = std::move(value);
    if (p.value.is_table()) p.rows.assign(p.value.rows(), RowProvenance{});
    if (const Override* o = override_of(pd.key)) {
      pd.overridden = true;
      p.source = "--set " + o->spelled();
      p.loc = {p.source};
    } else if (at.IsDefined() && !at.Mark().is_null()) {
      pd.line = at.Mark().line + 1;
      pd.col = at.Mark().column + 1;
      p.loc = {in_.file, pd.line, pd.col};
    } else {
      pd.code_tag = info.provenance;
      p.source = in_.absent_source;
      p.loc = {in_.file.empty() ? in_.code_label : in_.file};
    }
    out_.push_back(std::move(p));
    pending_.push_back(std::move(pd));
    return pending_.back();
  }
  void scalar(std::string_view key, double v, Dim dim, const FieldInfo& info,
              ParameterValue::Shape shape) {
    if (std::isnan(v) || info.min == info.max) return;  // unset derived value, or a constant
    ParameterValue value;
    value.shape = shape;
    value.dim = dim;
    value.scalar = v;
    begin(key, std::move(value), info, child(key).second);
  }
  void table(std::string_view key, ParameterValue value, const FieldInfo& info) {
    const auto [key_node, rows] = child(key);
    Pending& pd = begin(key, std::move(value), info, key_node);
    if (pd.overridden || !rows.IsSequence()) return;
    for (size_t i = 0; i < rows.size(); ++i)
      pd.rows.push_back(rows[i].Mark().is_null() ? 0 : rows[i].Mark().line + 1);
  }

  // Parses `text` for parameter `p` (dim of its value); reports an error at `at` (+ the offset in
  // the text when `at` has a column) once per place. Returns the tag, or nullopt on an error.
  std::optional<ProvenanceTag> parse(std::string_view text, const Pending& pd,
                                     std::string_view relative_only, SourceLoc at);
  void finish_scalar(const Pending& pd, const std::map<int, std::set<int>>& columns);
  void finish_table(const Pending& pd);
  SourceLoc comment_loc(int line, const LineComment& c) const { return {in_.file, line, c.col}; }
  std::optional<LineComment> comment(int line) const {
    return in_.comments && line > 0 ? in_.comments->on_line(line) : std::nullopt;
  }

  const ProvenanceInput& in_;
  std::vector<ParameterProvenance>& out_;
  Diagnostics& diags_;
  std::vector<Frame> frames_;
  std::vector<Pending> pending_;
  std::set<std::tuple<std::string, int, int, std::string>> reported_;
  // Lines whose tag names the value its range belongs to: the name, whether a value of the line
  // has it, and where the comment is.
  std::map<int, std::tuple<std::string, bool, SourceLoc>> range_keys_;
};

std::optional<ProvenanceTag> Collector::parse(std::string_view text, const Pending& pd,
                                              std::string_view relative_only, SourceLoc at) {
  const ParameterProvenance& p = out_[pd.param];
  TagParse t = parse_provenance_tag(text, p.value.dim, relative_only);
  std::string problem = t.error;
  if (problem.empty() && t.tag.range)
    problem = range_excludes(*t.tag.range, p.value.scalar, p.value.dim);
  if (problem.empty()) return t.tag;
  if (at.col > 0 && !t.error.empty()) at.col += static_cast<int>(t.error_at);
  // An anchored line is shared by several parameters: report it once, naming the first.
  const std::string once = at.line > 0 ? std::string() : problem;
  if (reported_.emplace(at.file, at.line, at.col, once).second)
    diags_.error(at, fmt::format("{}: provenance tag: {}", pd.key, problem));
  return std::nullopt;
}

void Collector::finish_scalar(const Pending& pd, const std::map<int, std::set<int>>& columns) {
  ParameterProvenance& p = out_[pd.param];
  std::optional<ProvenanceTag> tag;
  if (const std::optional<LineComment> c = comment(pd.line)) {
    p.source = std::string(c->text);
    const bool shared = columns.at(pd.line).size() > 1;
    tag = parse(c->text, pd, shared ? "a line of several values" : "", comment_loc(pd.line, *c));
  } else if (pd.line == 0 && !pd.code_tag.empty()) {
    tag = parse(pd.code_tag, pd, "", {in_.code_label});
  }
  if (!tag) return;
  p.kind = tag->kind;
  p.source = tag->source;
  p.range = tag->range;
  if (!tag->range_key.empty()) {  // the range is one value's of the line
    const size_t dot = pd.key.rfind('.');
    const std::string own = dot == std::string::npos ? pd.key : pd.key.substr(dot + 1);
    auto& [named, found, at] = range_keys_[pd.line];
    named = tag->range_key;
    found = found || own == named;
    at = comment_loc(pd.line, *comment(pd.line));
    if (own != named) p.range.reset();
  }
}

void Collector::finish_table(const Pending& pd) {
  ParameterProvenance& p = out_[pd.param];
  const bool curve = p.value.shape == ParameterValue::Shape::kCurve;
  std::optional<ProvenanceTag> whole;
  if (const std::optional<LineComment> c = comment(pd.line)) {
    p.source = std::string(c->text);
    whole = parse(c->text, pd, curve ? "a table" : "a list", comment_loc(pd.line, *c));
  } else if (pd.line == 0 && !pd.code_tag.empty()) {
    whole = parse(pd.code_tag, pd, curve ? "a table" : "a list", {in_.code_label});
  }
  std::vector<std::string> sources(p.rows.size());
  if (whole && whole->kind != ProvenanceKind::kUntagged) {
    for (RowProvenance& r : p.rows) r = {whole->kind, whole->range, pd.line};
  } else {
    for (size_t i = 0; i < p.rows.size() && i < pd.rows.size(); ++i) {
      p.rows[i].line = pd.rows[i];
      const std::optional<LineComment> c =
          pd.rows[i] != pd.line ? comment(pd.rows[i]) : std::nullopt;
      if (!c) continue;
      sources[i] = std::string(c->text);
      if (auto t = parse(c->text, pd, curve ? "a table row" : "a list value",
                         comment_loc(pd.rows[i], *c))) {
        p.rows[i].kind = t->kind;
        p.rows[i].range = t->range;
        sources[i] = t->source;
      }
    }
  }
  size_t count[kProvenanceKinds] = {0, 0, 0, 0};
  p.kind = ProvenanceKind::kMeasured;
  for (const RowProvenance& r : p.rows) {
    p.kind = weaker(p.kind, r.kind);
    ++count[static_cast<int>(r.kind)];
    if (!r.range) continue;
    if (!p.range) p.range = r.range;
    p.range->lo = std::min(p.range->lo, r.range->lo);
    p.range->hi = std::max(p.range->hi, r.range->hi);
  }
  if (whole && whole->kind != ProvenanceKind::kUntagged) {
    p.source = whole->source;
  } else if (std::count(count, count + kProvenanceKinds, 0) < kProvenanceKinds - 1) {
    std::string by;  // rows of different kinds
    for (int k = 0; k < kProvenanceKinds; ++k)
      if (count[k] > 0)
        by += fmt::format("{}{} {}", by.empty() ? "" : ", ", count[k],
                          kind_name(static_cast<ProvenanceKind>(k)));
    p.source = "by row: " + by;
  } else if (p.kind != ProvenanceKind::kUntagged || p.source.empty()) {
    p.source = sources.empty() ? p.source : sources.front();  // rows of one kind: the first's
  }
}

void Collector::finish() {
  std::map<int, std::set<int>> columns;  // scalar values on each line, by column
  for (const Pending& pd : pending_)
    if (!out_[pd.param].value.is_table() && pd.line > 0) columns[pd.line].insert(pd.col);
  for (const Pending& pd : pending_) {
    if (pd.overridden) continue;
    if (out_[pd.param].value.is_table())
      finish_table(pd);
    else
      finish_scalar(pd, columns);
  }
  for (const auto& [line, named] : range_keys_)
    if (!std::get<1>(named))
      diags_.error(std::get<2>(named),
                   fmt::format("provenance tag: 'assumption {}' names no value of this line",
                               std::get<0>(named)));
}

}  // namespace

void collect_provenance(const ProvenanceInput& in, const std::function<void(FieldVisitor&)>& body,
                        std::vector<ParameterProvenance>& out, Diagnostics& diags) {
  Collector c(in, out, diags);
  body(c);
  c.finish();
}

}  // namespace socsim
