// Recorded activation traces: round trip against the stochastic source, measured rates, the
// documented example, the writer's format, and located errors for malformed files.
#include <gtest/gtest.h>

#include "tests/unit/activation_test_util.hpp"

using namespace socsim;
using namespace socsim::test_activation;

namespace {

void expect_same_tokens(ActivationSource& a, ActivationSource& b, int tokens) {
  for (int t = 0; t < tokens; ++t) {
    a.next_token();
    b.next_token();
    ASSERT_EQ(snapshot(a), snapshot(b)) << "token " << t;
  }
}

}  // namespace

TEST(ActivationTrace, RoundTripEqualsTheStochasticSource) {
  for (const ActivationShape& shape :
       {make_shape(3, 4, 2, 300, 0.2), make_shape(2, 1, 1, 500, 0.1)}) {
    const std::string path = temp_path("roundtrip.trace");
    {
      StochasticActivations source(shape, make_params(21, 0.5));
      write_activation_trace(source, 25, path);
    }
    TraceActivations trace(path);
    EXPECT_EQ(trace.tokens(), 25);
    EXPECT_EQ(trace.shape().layers, shape.layers);
    EXPECT_EQ(trace.shape().experts, shape.experts);
    EXPECT_EQ(trace.shape().experts_per_token, shape.experts_per_token);
    EXPECT_EQ(trace.shape().neurons, shape.neurons);
    StochasticActivations fresh(shape, make_params(21, 0.5));
    expect_same_tokens(trace, fresh, 25);
    EXPECT_THROW(trace.next_token(), InputError);  // past the end
  }
}

TEST(ActivationTrace, MeasuredRatesAndFractions) {
  const ActivationShape shape = make_shape(2, 4, 2, 200, 0.2);
  const std::string path = temp_path("rates.trace");
  {
    StochasticActivations source(shape, make_params(4, 0.5));
    write_activation_trace(source, 40, path);
  }
  std::vector<double> count(2 * 4 * 200, 0), routed(2 * 4, 0);
  double active = 0;
  StochasticActivations again(shape, make_params(4, 0.5));
  for (int t = 0; t < 40; ++t) {
    again.next_token();
    for (int64_t l = 0; l < 2; ++l) {
      for (int32_t e : again.experts(l)) {
        ++routed[l * 4 + e];
        for (uint32_t id : again.active(l, e)) ++count[(l * 4 + e) * 200 + id];
        active += static_cast<double>(again.active(l, e).size());
      }
    }
  }
  TraceActivations trace(path);
  for (int64_t l = 0; l < 2; ++l)
    for (int64_t e = 0; e < 4; ++e)
      for (int64_t r = 0; r < 200; r += 7) {
        const double want =
            routed[l * 4 + e] > 0 ? count[(l * 4 + e) * 200 + r] / routed[l * 4 + e] : 0;
        ASSERT_DOUBLE_EQ(trace.firing_probability(l, e, r), want);
      }
  EXPECT_DOUBLE_EQ(trace.shape().active_fraction, active / (40.0 * 2 * 2 * 200));
}

TEST(ActivationTrace, ReadsTheDocumentedExample) {
  // The example of activation_trace.hpp, with comments, blank lines and CRLF line ends.
  const std::string path = write_file("example.trace",
                                      "# recorded by hand\r\n"
                                      "socsim-activations 1 layers 2 experts 4 experts_per_token 2 "
                                      "neurons 8\r\n"
                                      "\r\n"
                                      "0 0 1: 0 1 5\r\n"
                                      "0 0 3: 0 2\r\n"
                                      "  # layer 1\r\n"
                                      "0 1 0: 0 1 2 7\r\n"
                                      "0 1 2:\r\n");
  TraceActivations t(path);
  EXPECT_EQ(t.tokens(), 1);
  t.next_token();
  EXPECT_EQ(std::vector<int32_t>(t.experts(0).begin(), t.experts(0).end()),
            (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(std::vector<uint32_t>(t.active(0, 1).begin(), t.active(0, 1).end()),
            (std::vector<uint32_t>{0, 1, 5}));
  EXPECT_EQ(std::vector<uint32_t>(t.active(1, 0).begin(), t.active(1, 0).end()),
            (std::vector<uint32_t>{0, 1, 2, 7}));
  EXPECT_TRUE(t.active(1, 2).empty());
  EXPECT_TRUE(t.active(0, 0).empty());  // not routed
  EXPECT_DOUBLE_EQ(t.firing_probability(0, 1, 5), 1.0);
  EXPECT_DOUBLE_EQ(t.firing_probability(0, 0, 5), 0.0);
}

TEST(ActivationTrace, WriterFormat) {
  std::ostringstream out;
  StochasticActivations s(make_shape(1, 2, 1, 4, 1.0));
  write_activation_trace(s, 2, out);
  const std::string text = out.str();
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "socsim-activations 1 layers 1 experts 2 experts_per_token 1 neurons 4");
  EXPECT_NE(text.find("\n1 0 "), std::string::npos);
  EXPECT_NE(text.find(": 0 1 2 3\n"), std::string::npos);  // fraction 1: all four neurons
}

struct BadTrace {
  const char* name;
  std::string text;
  int line;
  int col;  // 0: not checked
  const char* message;
};

TEST(ActivationTrace, MalformedFilesGiveLocatedErrors) {
  const std::string h = "socsim-activations 1 layers 2 experts 4 experts_per_token 2 neurons 8\n";
  const std::string token0 = "0 0 1: 1 2\n0 0 3:\n0 1 0: 7\n0 1 2: 0\n";
  const std::vector<BadTrace> cases = {
      {"empty", "", 1, 0, "no header"},
      {"comments_only", "# nothing\n\n", 2, 0, "no header"},
      {"magic", "socsim-activation 1 layers 2\n", 1, 1, "not an activation trace"},
      {"version", "socsim-activations 2 layers 2 experts 4 experts_per_token 2 neurons 8\n", 1, 20,
       "unsupported format version 2"},
      {"missing_key", "socsim-activations 1 layers 2 experts 4 neurons 8\n", 1, 41,
       "expected 'experts_per_token', got 'neurons'"},
      {"zero_layers", "socsim-activations 1 layers 0 experts 4 experts_per_token 2 neurons 8\n", 1,
       29, "layers must be in [1,"},
      {"k_above_e", "socsim-activations 1 layers 2 experts 2 experts_per_token 3 neurons 8\n", 1, 0,
       "experts_per_token (3) exceeds experts (2)"},
      {"too_large",
       "socsim-activations 1 layers 1000 experts 1000 experts_per_token 2 neurons 1000\n", 1, 0,
       "need 3826 MiB to read"},
      {"many_slots",
       "socsim-activations 1 layers 8000 experts 65535 experts_per_token 65535 neurons 1\n", 1, 0,
       "the limit is 1024 MiB"},
      {"header_junk", "socsim-activations 1 layers 2 experts 4 experts_per_token 2 neurons 8 x\n",
       1, 71, "unexpected 'x' after the header"},
      {"id_range", h + "0 0 1: 1 8\n", 2, 10, "neuron 8 out of range [0, 8)"},
      {"id_order", h + "0 0 1: 3 2\n", 2, 10, "distinct and ascending: 2 after 3"},
      {"id_duplicate", h + "0 0 1: 3 3\n", 2, 10, "distinct and ascending: 3 after 3"},
      {"id_word", h + "0 0 1: 1 2x\n", 2, 10, "expected a neuron id, got '2x'"},
      {"id_negative", h + "0 0 1: -1\n", 2, 8, "expected a neuron id, got '-1'"},
      {"colon", h + "0 0 1 1 2\n", 2, 7, "expected ':' after the expert number"},
      {"expert_range", h + "0 0 4: 1\n", 2, 5, "expert 4 out of range [0, 4)"},
      {"expert_order", h + "0 0 3: 1\n0 0 1: 2\n", 3, 5, "distinct and ascending: expert 1 after"},
      {"first_token", h + "1 0 1: 1\n", 2, 1, "expected token 0 layer 0"},
      {"token_skip", h + token0 + "2 0 1: 1\n", 6, 1, "expected token 1 layer 0"},
      {"layer_order", h + "0 1 1: 1\n", 2, 3, "expected token 0 layer 0"},
      {"too_few_experts", h + "0 0 1: 1\n0 1 0: 2\n", 3, 3,
       "expected token 0 layer 0 (its expert 2 of 2), got token 0 layer 1"},
      {"truncated", h + token0 + "1 0 1: 1\n# end\n", 7, 0,
       "the file ends inside token 1: layer 0 has 1 of 2 experts"},
      {"number_missing", h + "0 0\n", 2, 4, "expected an expert number, found the end of the line"},
  };
  for (const BadTrace& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = write_file(std::string(c.name) + ".trace", c.text);
    try {
      TraceActivations t(path);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      ASSERT_EQ(e.diagnostics().all().size(), 1u);
      const Diagnostic& d = e.diagnostics().all()[0];
      EXPECT_EQ(d.loc.file, path);
      EXPECT_EQ(d.loc.line, c.line);
      if (c.col > 0) {
        EXPECT_EQ(d.loc.col, c.col);
      }
      EXPECT_NE(d.message.find(c.message), std::string::npos) << d.message;
      EXPECT_NE(std::string(e.what()).find(path + ":" + std::to_string(c.line) + ":"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(ActivationTrace, MissingFile) {
  const std::string path = temp_path("does_not_exist.trace");
  try {
    TraceActivations t(path);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
  StochasticActivations s(make_shape(1, 1, 1, 4, 0.5));
  EXPECT_THROW(write_activation_trace(s, 1, "/nonexistent-dir/x.trace"), InputError);
}
