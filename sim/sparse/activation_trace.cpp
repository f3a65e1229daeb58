// Activation trace reading (strict, located errors) and writing; format in activation_trace.hpp.
#include "sim/sparse/activation_trace.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <string_view>
#include <vector>

#include "sim/config/diagnostics.hpp"

namespace socsim {

namespace {

constexpr std::string_view kMagic = "socsim-activations";
constexpr double kReaderBudgetBytes = 0x1p30;  // 1 GiB of counters and slots

// The routed experts and active lists of one token, by slot (layer * K + i).
struct TokenData {
  std::vector<int32_t> experts;
  std::vector<std::vector<uint32_t>> active;
};

// Reads a trace line by line; every error names path:line:column.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), in_(path) {
    if (!in_) throw InputError({path_}, "cannot open activation trace");
    read_header();
  }
  const ActivationShape& shape() const { return shape_; }

  // Reads token `t` into `data`; false when the file ends cleanly before it.
  bool read_token(int64_t t, TokenData& data) {
    const int64_t k = shape_.experts_per_token;
    for (int64_t l = 0; l < shape_.layers; ++l) {
      for (int64_t i = 0; i < k; ++i) {
        if (!next_line()) {
          if (l == 0 && i == 0) return false;
          fail(0, fmt::format("the file ends inside token {}: layer {} has {} of {} experts", t, l,
                              i, k));
        }
        read_record(t, l, i, data);
      }
    }
    return true;
  }

 private:
  [[noreturn]] void fail(size_t col, const std::string& message) const {
    throw InputError({path_, line_no_, col > 0 ? static_cast<int>(col) : 0}, message);
  }

  // The next line that is not blank or a comment; false at the end of the file.
  bool next_line() {
    while (std::getline(in_, line_)) {
      ++line_no_;
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      pos_ = 0;
      skip_space();
      if (pos_ < line_.size() && line_[pos_] != '#') return true;
    }
    if (in_.bad()) fail(0, "read error");
    return false;
  }

  void skip_space() {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
  }
  std::string_view word() const {
    size_t end = pos_;
    while (end < line_.size() && line_[end] != ' ' && line_[end] != '\t') ++end;
    return std::string_view(line_).substr(pos_, end - pos_);
  }

  // A non-negative integer at the cursor (column of its first character in `col`).
  uint64_t number(std::string_view what, size_t& col) {
    skip_space();
    col = pos_ + 1;
    uint64_t v = 0;
    const char* first = line_.data() + pos_;
    const char* last = line_.data() + line_.size();
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ptr == first) {
      const std::string_view w = word();
      fail(col, w.empty() ? fmt::format("expected {}, found the end of the line", what)
                          : fmt::format("expected {}, got '{}'", what, w));
    }
    if (ec == std::errc::result_out_of_range) fail(col, fmt::format("{} is too large", what));
    if (ptr < last && *ptr != ' ' && *ptr != '\t' && *ptr != ':')
      fail(col, fmt::format("expected {}, got '{}'", what, word()));
    pos_ = static_cast<size_t>(ptr - line_.data());
    return v;
  }

  void keyword(std::string_view key) {
    skip_space();
    const std::string_view w = word();
    if (w != key)
      fail(pos_ + 1, w.empty() ? fmt::format("expected '{}', found the end of the line", key)
                               : fmt::format("expected '{}', got '{}'", key, w));
    pos_ += w.size();
  }

  int64_t positive(std::string_view key, uint64_t max) {
    keyword(key);
    size_t col = 0;
    const uint64_t v = number(fmt::format("the value of {}", key), col);
    if (v < 1 || v > max) fail(col, fmt::format("{} must be in [1, {}], got {}", key, max, v));
    return static_cast<int64_t>(v);
  }

  void read_header() {
    if (!next_line()) {
      line_no_ = std::max(line_no_, 1);
      fail(0, fmt::format("no header: expected '{} 1 layers <L> experts <E> "
                          "experts_per_token <K> neurons <N>', found the end of the file",
                          kMagic));
    }
    if (word() != kMagic)
      fail(pos_ + 1,
           fmt::format("not an activation trace: expected '{}', got '{}'", kMagic, word()));
    pos_ += kMagic.size();
    size_t col = 0;
    const uint64_t version = number("the format version", col);
    if (version != 1)
      fail(col,
           fmt::format("unsupported format version {} (this socsim reads version 1)", version));
    shape_.layers = positive("layers", 1 << 20);
    shape_.experts = positive("experts", 65535);
    shape_.experts_per_token = positive("experts_per_token", 65535);
    shape_.neurons = positive("neurons", 0xffffffffULL);
    skip_space();
    if (pos_ < line_.size())
      fail(pos_ + 1, fmt::format("unexpected '{}' after the header", word()));
    if (shape_.experts_per_token > shape_.experts)
      fail(0, fmt::format("experts_per_token ({}) exceeds experts ({})", shape_.experts_per_token,
                          shape_.experts));
    // The reader keeps a 4-byte firing counter per neuron of every expert, an 8-byte routed-token
    // count and a 4-byte slot index per expert, and a 28-byte (expert, id list) slot per routed
    // expert of a token. The largest released MoE (61 layers x 256 experts x 2048 neurons) needs
    // 128 MB of counters; beyond 1 GiB the file is refused before anything is allocated.
    const double layers = static_cast<double>(shape_.layers);
    const double bytes = layers * static_cast<double>(shape_.experts) *
                             (4.0 * static_cast<double>(shape_.neurons) + 12.0) +
                         layers * static_cast<double>(shape_.experts_per_token) * 28.0;
    if (bytes > kReaderBudgetBytes)
      fail(0, fmt::format("layers x experts x neurons ({} x {} x {}) and experts_per_token ({}) "
                          "need {:.0f} MiB to read (the reader counts how often every neuron "
                          "fires); the limit is {:.0f} MiB",
                          shape_.layers, shape_.experts, shape_.neurons, shape_.experts_per_token,
                          bytes / 0x1p20, kReaderBudgetBytes / 0x1p20));
  }

  // One "<token> <layer> <expert>: ids" line, expected to be expert `i` of layer `l` of token `t`.
  void read_record(int64_t t, int64_t l, int64_t i, TokenData& data) {
    size_t col_t = 0, col_l = 0, col_e = 0;
    const uint64_t tok = number("a token number", col_t);
    const uint64_t layer = number("a layer number", col_l);
    if (tok != static_cast<uint64_t>(t) || layer != static_cast<uint64_t>(l)) {
      const bool new_token = l == 0 && i == 0;
      fail(tok != static_cast<uint64_t>(t) ? col_t : col_l,
           new_token ? fmt::format("expected token {} layer 0 (tokens are numbered 0, 1, 2, ... "
                                   "in order, layers 0 .. {} in order), got token {} layer {}",
                                   t, shape_.layers - 1, tok, layer)
                     : fmt::format("expected token {} layer {} (its expert {} of {}), got token {} "
                                   "layer {}",
                                   t, l, i + 1, shape_.experts_per_token, tok, layer));
    }
    const uint64_t expert = number("an expert number", col_e);
    if (expert >= static_cast<uint64_t>(shape_.experts))
      fail(col_e, fmt::format("expert {} out of range [0, {})", expert, shape_.experts));
    const size_t slot = static_cast<size_t>(l * shape_.experts_per_token + i);
    if (i > 0 && static_cast<int64_t>(expert) <= data.experts[slot - 1])
      fail(col_e, fmt::format("the experts of a layer must be distinct and ascending: expert {} "
                              "after expert {}",
                              expert, data.experts[slot - 1]));
    data.experts[slot] = static_cast<int32_t>(expert);
    skip_space();
    if (pos_ >= line_.size() || line_[pos_] != ':')
      fail(pos_ + 1, "expected ':' after the expert number");
    ++pos_;
    std::vector<uint32_t>& ids = data.active[slot];
    ids.clear();
    for (skip_space(); pos_ < line_.size(); skip_space()) {
      size_t col = 0;
      const uint64_t id = number("a neuron id", col);
      if (id >= static_cast<uint64_t>(shape_.neurons))
        fail(col, fmt::format("neuron {} out of range [0, {})", id, shape_.neurons));
      if (!ids.empty() && id <= ids.back())
        fail(col,
             fmt::format("neuron ids must be distinct and ascending: {} after {}", id, ids.back()));
      ids.push_back(static_cast<uint32_t>(id));
    }
  }

  std::string path_;
  std::ifstream in_;
  ActivationShape shape_;
  std::string line_;
  int line_no_ = 0;
  size_t pos_ = 0;
};

}  // namespace

struct TraceActivations::Impl {
  std::string path;
  ActivationShape shape;
  int64_t tokens = 0;
  int64_t token = -1;
  std::vector<uint32_t> counts;  // (layer * experts + expert) * neurons + id
  std::vector<int64_t> routed_tokens;
  std::unique_ptr<Reader> reader;  // streams the tokens
  TokenData data;
  std::vector<int32_t> slot_of;  // layer * experts + expert -> slot on the current token, or -1

  explicit Impl(const std::string& p) : path(p) {}
  void resize_data() {
    const size_t slots = static_cast<size_t>(shape.layers * shape.experts_per_token);
    data.experts.assign(slots, 0);
    data.active.assign(slots, {});
  }
};

TraceActivations::TraceActivations(const std::string& path) : impl_(std::make_unique<Impl>(path)) {
  Impl& m = *impl_;
  {
    Reader first(path);
    m.shape = first.shape();
    m.resize_data();
    const size_t n = static_cast<size_t>(m.shape.neurons);
    const size_t experts = static_cast<size_t>(m.shape.layers * m.shape.experts);
    m.counts.assign(experts * n, 0);
    m.routed_tokens.assign(experts, 0);
    std::vector<int64_t> active_per_layer(static_cast<size_t>(m.shape.layers), 0);
    const int64_t k = m.shape.experts_per_token;
    while (first.read_token(m.tokens, m.data)) {
      ++m.tokens;
      for (size_t s = 0; s < m.data.experts.size(); ++s) {
        const size_t le =
            static_cast<size_t>(static_cast<int64_t>(s) / k * m.shape.experts + m.data.experts[s]);
        ++m.routed_tokens[le];
        uint32_t* c = m.counts.data() + le * n;
        for (uint32_t id : m.data.active[s]) ++c[id];
        active_per_layer[s / static_cast<size_t>(k)] +=
            static_cast<int64_t>(m.data.active[s].size());
      }
    }
    const double per_layer_slots = static_cast<double>(m.tokens * k) * static_cast<double>(n);
    double total = 0;
    m.shape.per_layer.clear();
    for (int64_t a : active_per_layer) {
      m.shape.per_layer.push_back(m.tokens > 0 ? static_cast<double>(a) / per_layer_slots : 0.0);
      total += static_cast<double>(a);
    }
    m.shape.active_fraction =
        m.tokens > 0 ? total / (per_layer_slots * static_cast<double>(m.shape.layers)) : 0.0;
  }
  m.reader = std::make_unique<Reader>(path);
  m.slot_of.assign(static_cast<size_t>(m.shape.layers * m.shape.experts), -1);
}

TraceActivations::~TraceActivations() = default;

int64_t TraceActivations::tokens() const {
  return impl_->tokens;
}
const ActivationShape& TraceActivations::shape() const {
  return impl_->shape;
}
int64_t TraceActivations::token() const {
  return impl_->token;
}

void TraceActivations::next_token() {
  Impl& m = *impl_;
  if (m.token + 1 >= m.tokens)
    throw InputError({m.path}, fmt::format("the activation trace holds {} tokens; token {} was "
                                           "requested",
                                           m.tokens, m.token + 1));
  const int64_t k = m.shape.experts_per_token;
  for (size_t s = 0; s < m.data.experts.size() && m.token >= 0; ++s)
    m.slot_of[static_cast<size_t>(static_cast<int64_t>(s) / k * m.shape.experts +
                                  m.data.experts[s])] = -1;
  if (!m.reader->read_token(m.token + 1, m.data))
    throw InputError({m.path}, "the activation trace changed while it was being read");
  ++m.token;
  for (size_t s = 0; s < m.data.experts.size(); ++s)
    m.slot_of[static_cast<size_t>(static_cast<int64_t>(s) / k * m.shape.experts +
                                  m.data.experts[s])] = static_cast<int32_t>(s);
}

std::span<const int32_t> TraceActivations::experts(int64_t layer) const {
  if (impl_->token < 0) return {};
  const size_t k = static_cast<size_t>(impl_->shape.experts_per_token);
  return {impl_->data.experts.data() + static_cast<size_t>(layer) * k, k};
}

std::span<const uint32_t> TraceActivations::active(int64_t layer, int64_t expert) const {
  const int32_t s = impl_->slot_of[static_cast<size_t>(layer * impl_->shape.experts + expert)];
  if (s < 0) return {};
  return impl_->data.active[static_cast<size_t>(s)];
}

double TraceActivations::firing_probability(int64_t layer, int64_t expert, int64_t neuron) const {
  const Impl& m = *impl_;
  const size_t le = static_cast<size_t>(layer * m.shape.experts + expert);
  if (m.routed_tokens[le] == 0) return 0.0;
  return static_cast<double>(
             m.counts[le * static_cast<size_t>(m.shape.neurons) + static_cast<size_t>(neuron)]) /
         static_cast<double>(m.routed_tokens[le]);
}

void write_activation_trace(ActivationSource& source, int64_t tokens, std::ostream& out) {
  const ActivationShape& s = source.shape();
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf),
                 "{} 1 layers {} experts {} experts_per_token {} neurons {}\n", kMagic, s.layers,
                 s.experts, s.experts_per_token, s.neurons);
  for (int64_t t = 0; t < tokens; ++t) {
    source.next_token();
    for (int64_t l = 0; l < s.layers; ++l) {
      for (int32_t e : source.experts(l)) {
        fmt::format_to(std::back_inserter(buf), "{} {} {}:", t, l, e);
        for (uint32_t id : source.active(l, e)) fmt::format_to(std::back_inserter(buf), " {}", id);
        buf.push_back('\n');
      }
    }
    if (buf.size() > (1u << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

void write_activation_trace(ActivationSource& source, int64_t tokens, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw InputError({path}, "cannot open for writing");
  write_activation_trace(source, tokens, out);
  out.flush();
  if (!out) throw InputError({path}, "cannot write");
}

}  // namespace socsim
