// The data-flow invariant; see invariants.hpp. What each op reads and writes follows from its
// parts' roles, with the semantics of the functional executor (sim/verify/executor.hpp): every
// prefill chunk and decode token is a stream of activations (x, h, q/k/v, attention output, ...)
// that its parts read and overwrite in creation order; RoPE writes the layer's KV cache at the op's
// positions and attention reads every position up to its own; the LM head produces the token the
// next decode step embeds. Each read is matched with the last write before it in creation order
// (creation order computes the model: `verify` checks that), and the reader must not start before
// that writer ends. Parts without a role (flash reads, shadow GEMMs, graph builds) move no
// activations here.
#include <fmt/format.h>

#include <array>
#include <map>

#include "sim/check/invariants.hpp"

namespace socsim::check {
namespace {

enum Var : uint8_t { kX, kH, kQkv, kAttn, kO, kGateUp, kAct, kFfn, kVars };
constexpr std::array<const char*, kVars> kVarNames{
    "hidden state",         "normed input", "q/k/v",      "attention output",
    "attention projection", "gate/up",      "activation", "FFN output"};
constexpr OpId kNone = UINT32_MAX;

struct Access {
  std::array<Var, 2> reads{kVars, kVars};
  Var writes = kVars;
  Var writes2 = kVars;
};

Access access_of(PartRole r) {
  switch (r) {
    case PartRole::kEmbed:
      return {{kVars, kVars}, kX};
    case PartRole::kAttnNorm:
    case PartRole::kFfnNorm:
    case PartRole::kFinalNorm:
      return {{kX, kVars}, kH};
    case PartRole::kQkv:
      return {{kH, kVars}, kQkv};
    case PartRole::kRope:
      return {{kQkv, kVars}, kQkv};
    case PartRole::kAttention:
      return {{kQkv, kVars}, kAttn};
    case PartRole::kOProj:
      return {{kAttn, kVars}, kO};
    case PartRole::kAttnResidual:
      return {{kX, kO}, kX};
    case PartRole::kRouter:
    case PartRole::kLmHead:
      return {{kH, kVars}, kVars};
    case PartRole::kGateUp:  // MoE layers compute the whole FFN here
      return {{kH, kVars}, kGateUp, kFfn};
    case PartRole::kAct:
      return {{kGateUp, kVars}, kAct};
    case PartRole::kDown:
      return {{kAct, kVars}, kFfn};
    case PartRole::kFfnResidual:
      return {{kX, kFfn}, kX};
    case PartRole::kNone:
      break;
  }
  return {};
}

struct KvWrite {
  int64_t first;  // first position written
  OpId op;
};

class DataFlow {
 public:
  DataFlow(const RunOutput& out, Violations& v)
      : out_(out), g_(out.graph), v_(v), tol_(time_tolerance(out)) {}

  void run() {
    for (OpId i = 0; i < g_.size(); ++i) {
      const Op& op = g_.op(i);
      auto [it, fresh] = streams_.try_emplace(
          {static_cast<int>(op.phase), op.phase == Phase::kDecode ? op.token : op.chunk});
      if (fresh) it->second.fill(kNone);
      std::array<OpId, kVars>& stream = it->second;
      for (const OpPart& p : g_.parts(i)) {
        const Access a = access_of(p.role);
        for (Var r : a.reads)
          if (r != kVars) need(i, stream[r], kVarNames[r]);
        if (p.role == PartRole::kEmbed && op.phase == Phase::kDecode)
          need(i, sampled_, "the token sampled from the previous logits");
        if (p.role == PartRole::kAttention) read_kv(i, op);
        if (p.role == PartRole::kRope) kv_[op.layer].push_back({op.pos, i});
        if (p.role == PartRole::kLmHead) sampled_ = i;
        if (a.writes != kVars) stream[a.writes] = i;
        if (a.writes2 != kVars) stream[a.writes2] = i;
      }
    }
  }

 private:
  // The reader must start no earlier than the writer ends (unless it wrote it itself).
  void need(OpId reader, OpId writer, const char* what) {
    if (writer == kNone || writer == reader) return;
    const double start = out_.timing[reader].start, end = out_.timing[writer].end;
    if (start < end - tol_)
      v_.add("data-flow",
             fmt::format("{} starts at {:.9g} s, before {}, which produces {} it "
                         "reads, ends at {:.9g} s",
                         describe_op(g_, reader), start, describe_op(g_, writer), what, end));
  }

  // Attention reads the layer's keys and values at every position before its last one.
  void read_kv(OpId reader, const Op& op) {
    const int64_t last = static_cast<int64_t>(op.pos) + op.rows;
    OpId latest = kNone;
    for (const KvWrite& w : kv_[op.layer])
      if (w.first < last && w.op != reader &&
          (latest == kNone || out_.timing[w.op].end > out_.timing[latest].end))
        latest = w.op;
    need(reader, latest, "keys and values");
  }

  const RunOutput& out_;
  const TaskGraph& g_;
  Violations& v_;
  double tol_;
  std::map<std::pair<int, int>, std::array<OpId, kVars>> streams_;
  std::map<int32_t, std::vector<KvWrite>> kv_;  // by layer, in creation order
  OpId sampled_ = kNone;
};

}  // namespace

void check_data_flow(const RunOutput& out, Violations& v) {
  DataFlow(out, v).run();
}

}  // namespace socsim::check
