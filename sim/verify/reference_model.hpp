// A real model to execute: any shipped architecture at reduced size (e.g. 4 layers, hidden 256)
// with seeded random weights and the structure that matters for numerics: a few activation-outlier
// channels of large magnitude at the inputs of linear layers (as trained LLMs have), and for
// ReLU/dReLU models a sparse FFN whose neurons fire with a skewed (power-law) frequency around the
// model's mean active fraction. `reference_forward` is the plain whole-prompt FP32 forward pass,
// written straight from the kernels (not from a task graph), that schedules are checked against.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/kernels.hpp"
#include "sim/model/model_spec.hpp"

namespace socsim::verify {

using kernels::Mat;
using kernels::Vec;

struct ReducedShape {
  int64_t layers = 4;
  int64_t hidden = 256;
  int64_t vocab = 512;
  int outlier_channels = 3;    // hidden channels carrying activation outliers
  float outlier_scale = 30.f;  // their gain relative to other channels
};

// The architecture of `full` at reduced width: same FFN type, activation, norm, GQA ratio, MoE
// layout and sparsity; head_dim 32 (or less), FFN width scaled with the hidden size.
ModelSpec reduce_spec(const ModelSpec& full, const ReducedShape& shape);

struct ExpertWeights {
  Mat w_gate, w_up, w_down;  // gate empty for plain FFNs
  Vec gate_bias;             // empty unless the model is activation-sparse
};

struct LayerWeights {
  Vec attn_gain, attn_bias;  // bias only for LayerNorm
  Mat w_qkv, w_o;
  Vec ffn_gain, ffn_bias;
  Mat w_router;                        // MoE only
  std::vector<ExpertWeights> experts;  // one for dense models
};

struct ReferenceModel {
  ModelSpec spec;  // reduced dimensions: lower this spec so the graph matches the weights
  Mat embed;       // vocab x hidden
  std::vector<LayerWeights> layers;
  Vec final_gain, final_bias;
  Mat lm_head;  // hidden x vocab (the transposed embedding when tied)
  std::vector<int> outlier_channels;
  float norm_eps = 1e-5f;
};

ReferenceModel build_reference_model(const ModelSpec& full, const ReducedShape& shape,
                                     uint64_t seed);

// Seeded token ids: the prompt, then the tokens fed to decode steps (teacher forcing, so that every
// execution sees the same inputs whatever its numerics).
std::vector<int32_t> make_tokens(const ReferenceModel& m, int64_t count, uint64_t seed);

struct ForwardResult {
  std::vector<Mat>
      logits;  // one 1 x vocab row per produced token: prompt end, then each decode step
  std::vector<kernels::KvCache> kv;  // per layer
};

// Plain FP32 forward: the whole prompt at once, then `gen - 1` decode steps over tokens[prompt...].
ForwardResult reference_forward(const ReferenceModel& m, const std::vector<int32_t>& tokens,
                                int64_t prompt, int64_t gen);

// One FFN of a layer (dense or MoE) in FP32, optionally over a subset of neurons per expert; shared
// by the reference pass and the executor.
void ffn_forward(const ReferenceModel& m, const LayerWeights& lw, const Mat& h, Mat& out);

kernels::Act act_of(Activation a);

}  // namespace socsim::verify
