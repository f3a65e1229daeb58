// `--slo` terms: parsed with the project's units into SI, every bad term reported at once with its
// exact text, and checked against a point's metrics (each violation with point, metric, value and
// limit).
#include <gtest/gtest.h>

#include "sim/check/slo.hpp"

namespace socsim::check {
namespace {

std::string errors_of(const std::string& text) {
  try {
    parse_slo(text);
  } catch (const InputError& e) {
    return e.diagnostics().to_string();
  }
  return "no error";
}

TEST(Slo, parses_terms_with_units_into_si) {
  const std::vector<SloTerm> t = parse_slo(
      "ttft<=1s, memory<=8GB,prefill_tps>=100,decode_tps>=5tok/s,energy_per_token<=0.5J,"
      "decode_latency<=250ms,power<=6W,total<=120s,memory<=1GiB");
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t[0].metric->name, "ttft");
  EXPECT_TRUE(t[0].at_most);
  EXPECT_DOUBLE_EQ(t[0].limit, 1.0);
  EXPECT_EQ(t[0].text, "ttft<=1s");
  EXPECT_DOUBLE_EQ(t[1].limit, 8e9);
  EXPECT_FALSE(t[2].at_most);
  EXPECT_DOUBLE_EQ(t[2].limit, 100);
  EXPECT_DOUBLE_EQ(t[3].limit, 5);
  EXPECT_DOUBLE_EQ(t[4].limit, 0.5);
  EXPECT_DOUBLE_EQ(t[5].limit, 0.25);
  EXPECT_DOUBLE_EQ(t[6].limit, 6);
  EXPECT_DOUBLE_EQ(t[7].limit, 120);
  EXPECT_DOUBLE_EQ(t[8].limit, 1073741824.0);
}

TEST(Slo, unknown_metric_gets_a_did_you_mean) {
  EXPECT_EQ(errors_of("ttfx<=1s"),
            "--slo ttfx<=1s: error: unknown metric 'ttfx'; did you mean 'ttft'? (metrics: ttft, "
            "total, decode_latency, prefill_tps, decode_tps, memory, energy, energy_per_token, "
            "power)\n");
}

TEST(Slo, bad_units_and_forms_are_errors) {
  EXPECT_NE(errors_of("ttft<=1GB").find("ttft<=1GB: unknown unit 'GB' for a time"),
            std::string::npos)
      << errors_of("ttft<=1GB");
  EXPECT_NE(errors_of("memory<=8").find("memory<=8: '8' has no unit"), std::string::npos)
      << errors_of("memory<=8");
  EXPECT_NE(errors_of("decode_tps>=5W").find("should be a plain number"), std::string::npos);
  EXPECT_NE(errors_of("ttft<1s").find("'ttft<1s' is not metric<=value or metric>=value"),
            std::string::npos);
  EXPECT_NE(errors_of("ttft<=-1s").find("negative"), std::string::npos);
  EXPECT_NE(errors_of("ttft<=1s,,memory<=1GB").find("empty term"), std::string::npos);
}

TEST(Slo, every_bad_term_is_reported_at_once) {
  try {
    parse_slo("ttfx<=1s,memory<=8,decode_tps>=5");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.diagnostics().error_count(), 2);
  }
}

TEST(Slo, violations_name_point_metric_value_and_limit) {
  PointResult p;
  p.spec = {"redmi-k70-pro", "llama-2-7b", 512, 8};
  p.metrics.ttft_s = 1.5;
  p.metrics.decode_tps = 6;
  p.metrics.peak_memory_bytes = 7e9;
  const std::vector<SloTerm> terms = parse_slo("ttft<=1s,decode_tps>=5,memory<=8GB");
  const std::vector<SloViolation> v = check_slo(terms, p);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].describe(), "redmi-k70-pro/llama-2-7b/p512: ttft 1.5s > 1s");
  EXPECT_DOUBLE_EQ(v[0].value, 1.5);
  p.metrics.decode_tps = 4;
  ASSERT_EQ(check_slo(terms, p).size(), 2u);
  EXPECT_EQ(check_slo(terms, p)[1].describe(),
            "redmi-k70-pro/llama-2-7b/p512: decode_tps 4 tok/s < 5 tok/s");
  p.status = PointStatus::kSkipped;  // a point that did not run has nothing to check
  EXPECT_TRUE(check_slo(terms, p).empty());
}

}  // namespace
}  // namespace socsim::check
