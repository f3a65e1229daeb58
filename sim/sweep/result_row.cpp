// Sweep result rows; see result_row.hpp.
#include "sim/sweep/result_row.hpp"

#include <algorithm>

namespace socsim {
namespace {

void flatten_into(const std::string& prefix, const nlohmann::ordered_json& j,
                  nlohmann::ordered_json& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items())
      flatten_into(prefix.empty() ? k : prefix + "." + k, v, out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) flatten_into(prefix + "." + std::to_string(i), j[i], out);
  } else {
    out[prefix] = j;
  }
}

void append_csv(std::string& out, const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_quoted(const std::string& s) {
  std::string q;
  append_csv(q, s);
  return q;
}

}  // namespace

std::string_view status_name(PointStatus s) {
  switch (s) {
    case PointStatus::kOk:
      return "ok";
    case PointStatus::kInfeasible:
      return "infeasible";
    case PointStatus::kInputError:
      return "input_error";
    case PointStatus::kError:
      return "error";
    case PointStatus::kCrashed:
      return "crashed";
  }
  return "error";
}

nlohmann::ordered_json flatten_result(const nlohmann::ordered_json& run_json) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [k, v] : run_json.items())
    if (k != "sim_wall_s") flatten_into(k, v, out);
  return out;
}

std::string row_line(const SweepPlan& plan, size_t point, PointStatus status,
                     const std::string& message, const nlohmann::ordered_json& flat_result) {
  nlohmann::ordered_json row;
  row["point"] = point;
  nlohmann::ordered_json axes = nlohmann::ordered_json::object();
  for (size_t c = 0; c < plan.columns().size(); ++c) {
    const SweepValue* v = plan.value(point, c);
    axes[plan.columns()[c]] = v ? v->text : std::string();
  }
  row["axes"] = std::move(axes);
  row["status"] = std::string(status_name(status));
  row["message"] = message;
  row["result"] = flat_result.is_object() ? flat_result : nlohmann::ordered_json::object();
  return row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

// A reader of the rows row_line writes (compact JSON; any whitespace between tokens is accepted).
// Scalars of `result` are kept as their JSON text, which is what the CSV shows: numbers exactly as
// written, strings unescaped, null as an empty cell. Much faster than a general JSON parser, which
// matters because every row is read back for results.csv.
class RowScanner {
 public:
  explicit RowScanner(std::string_view s) : s_(s) {}

  bool ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n'))
      ++i_;
    return i_ < s_.size();
  }
  bool eat(char c) {
    if (!ws() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool at_end() {
    ws();
    return i_ == s_.size();
  }
  bool peek(char c) { return ws() && s_[i_] == c; }

  bool string(std::string& out) {
    out.clear();
    if (!eat('"')) return false;
    while (i_ < s_.size()) {
      // The run up to the next quote or escape goes in at once.
      size_t end = i_;
      while (end < s_.size() && s_[end] != '"' && s_[end] != '\\') ++end;
      out.append(s_.data() + i_, end - i_);
      i_ = end;
      if (i_ >= s_.size()) return false;
      if (s_[i_++] == '"') return true;
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
            unsigned lo = 0;
            if (i_ + 1 >= s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') return false;
            i_ += 2;
            if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  // A scalar as cell text: strings unescaped, null empty, numbers and booleans as written.
  bool scalar(std::string& out) {
    if (!ws()) return false;
    if (s_[i_] == '"') return string(out);
    const size_t b = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ') ++i_;
    const std::string_view tok = s_.substr(b, i_ - b);
    if (tok.empty() || tok.front() == '{' || tok.front() == '[') return false;
    out = tok == "null" ? std::string() : std::string(tok);
    return true;
  }

  bool unsigned_number(size_t& out) {
    if (!ws() || s_[i_] < '0' || s_[i_] > '9') return false;
    out = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') out = out * 10 + (s_[i_++] - '0');
    return true;
  }

  // {"k": scalar, ...}; calls fn(key, text) for each member.
  template <class Fn>
  bool object(Fn&& fn) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    std::string k, v;
    do {
      if (!string(k) || !eat(':') || !scalar(v)) return false;
      fn(k, v);
    } while (eat(','));
    return eat('}');
  }

 private:
  bool hex4(unsigned& cp) {
    if (i_ + 4 > s_.size()) return false;
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[i_++];
      cp <<= 4;
      if (h >= '0' && h <= '9')
        cp |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        cp |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        cp |= static_cast<unsigned>(h - 'A' + 10);
      else
        return false;
    }
    return true;
  }
  static void utf8(unsigned cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::optional<RowCells> parse_row(std::string_view line, const std::vector<std::string>& columns) {
  RowScanner in(line);
  RowCells r;
  bool point = false, axes = false, status = false, result = false;
  std::vector<std::pair<std::string, std::string>> axis_values;
  if (!in.eat('{')) return std::nullopt;
  std::string key;
  do {
    if (!in.string(key) || !in.eat(':')) return std::nullopt;
    bool ok = false;
    if (key == "point") {
      ok = point = in.unsigned_number(r.point);
    } else if (key == "axes") {
      ok = axes = in.object(
          [&](const std::string& k, const std::string& v) { axis_values.emplace_back(k, v); });
    } else if (key == "status") {
      ok = status = in.peek('"') && in.string(r.status);
    } else if (key == "message") {
      ok = in.scalar(r.message);
    } else if (key == "result") {
      ok = result = in.object(
          [&](const std::string& k, const std::string& v) { r.result.emplace_back(k, v); });
    }
    if (!ok) return std::nullopt;
  } while (in.eat(','));
  if (!in.eat('}') || !in.at_end() || !point || !axes || !status || !result) return std::nullopt;
  for (const std::string& c : columns) {
    const auto it = std::find_if(axis_values.begin(), axis_values.end(),
                                 [&](const auto& kv) { return kv.first == c; });
    if (it == axis_values.end()) return std::nullopt;
    r.axes.push_back(it->second);
  }
  return r;
}

bool row_point(std::string_view line, size_t& point) {
  constexpr std::string_view kPrefix = "{\"point\":";
  if (line.substr(0, kPrefix.size()) != kPrefix) return false;
  size_t i = kPrefix.size(), v = 0;
  if (i >= line.size() || line[i] < '0' || line[i] > '9') return false;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i)
    v = v * 10 + static_cast<size_t>(line[i] - '0');
  point = v;
  return true;
}

CsvLayout::CsvLayout(std::vector<std::string> axes) : axes_(std::move(axes)) {}

bool CsvLayout::add(const RowCells& row) {
  bool changed = false;
  size_t next = 0;  // where a new key goes: after the previous key of this row
  for (const auto& [k, text] : row.result) {
    if (next < keys_.size() && keys_[next] == k) {  // rows usually follow the header's order
      ++next;
      continue;
    }
    if (auto it = position_.find(k); it != position_.end()) {
      next = it->second + 1;
      continue;
    }
    keys_.insert(keys_.begin() + static_cast<std::ptrdiff_t>(next), k);
    for (size_t i = next; i < keys_.size(); ++i) position_[keys_[i]] = i;
    ++next;
    changed = true;
  }
  return changed;
}

std::string CsvLayout::column_of(const std::string& key) const {
  const bool taken = key == "point" || key == "status" || key == "message" ||
                     std::find(axes_.begin(), axes_.end(), key) != axes_.end();
  return taken ? "result." + key : key;
}

std::string CsvLayout::header() const {
  std::string s = "point";
  for (const std::string& a : axes_) s += "," + csv_quoted(a);
  s += ",status,message";
  for (const std::string& k : keys_) s += "," + csv_quoted(column_of(k));
  return s + "\n";
}

std::string CsvLayout::line(const RowCells& row) const {
  std::string s = std::to_string(row.point);
  s.reserve(32 * (keys_.size() + row.axes.size()));
  for (const std::string& a : row.axes) {
    s += ',';
    append_csv(s, a);
  }
  s += ',';
  append_csv(s, row.status);
  s += ',';
  append_csv(s, row.message);
  // Rows usually list their keys in the header's order: try the next column before the map.
  std::vector<const std::string*> cells(keys_.size(), nullptr);
  size_t next = 0;
  for (const auto& [k, text] : row.result) {
    if (next < keys_.size() && keys_[next] == k) {
      cells[next++] = &text;
    } else if (auto it = position_.find(k); it != position_.end()) {
      cells[it->second] = &text;
      next = it->second + 1;
    }
  }
  for (const std::string* c : cells) {
    s += ',';
    if (c) append_csv(s, *c);
  }
  s += '\n';
  return s;
}

}  // namespace socsim
