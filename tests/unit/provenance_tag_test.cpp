// The provenance tag grammar: every kind, ranges in the field's unit and relative ones, untagged
// comments, the exact text and offset of every malformed tag, and finding the comment of a line.
#include <gtest/gtest.h>

#include <string>

#include "sim/provenance/line_comments.hpp"
#include "sim/provenance/tag_parser.hpp"

using namespace socsim;

namespace {

ProvenanceTag ok(std::string_view text, Dim dim = Dim::kNumber, std::string_view rel = {}) {
  TagParse p = parse_provenance_tag(text, dim, rel);
  EXPECT_EQ(p.error, "") << text;
  return p.tag;
}

// "offset: message" of a malformed tag.
std::string error_of(std::string_view text, Dim dim = Dim::kNumber, std::string_view rel = {}) {
  TagParse p = parse_provenance_tag(text, dim, rel);
  return std::to_string(p.error_at) + ": " + p.error;
}

}  // namespace

TEST(ProvenanceTag, MeasuredAndDatasheetCiteTheirSource) {
  ProvenanceTag m = ok("measured: mllm-NPU Table 3, 64x2048x2048 in 4.2 ms");
  EXPECT_EQ(m.kind, ProvenanceKind::kMeasured);
  EXPECT_EQ(m.source, "mllm-NPU Table 3, 64x2048x2048 in 4.2 ms");
  EXPECT_FALSE(m.range);
  ProvenanceTag d = ok("datasheet : Adreno 750 max clock   ");
  EXPECT_EQ(d.kind, ProvenanceKind::kDatasheet);
  EXPECT_EQ(d.source, "Adreno 750 max clock");
}

TEST(ProvenanceTag, AssumptionRangeIsParsedWithTheFieldsUnit) {
  ProvenanceTag p = ok("assumption [0.02W, 0.1W]: clock-gated idle core", Dim::kPower);
  EXPECT_EQ(p.kind, ProvenanceKind::kAssumption);
  EXPECT_EQ(p.source, "clock-gated idle core");
  ASSERT_TRUE(p.range);
  EXPECT_FALSE(p.range->relative);
  EXPECT_DOUBLE_EQ(p.range->lo, 0.02);
  EXPECT_DOUBLE_EQ(p.range->hi, 0.1);
  ProvenanceTag t = ok("assumption [10us,50us]: barrier", Dim::kTime);
  EXPECT_DOUBLE_EQ(t.range->lo, 10e-6);
  EXPECT_DOUBLE_EQ(t.range->hi, 50e-6);
  ProvenanceTag n = ok("assumption [50%, 0.95]: share", Dim::kNumber);
  EXPECT_DOUBLE_EQ(n.range->lo, 0.5);
  EXPECT_DOUBLE_EQ(n.range->hi, 0.95);
  ProvenanceTag b = ok("assumption[4GB/s ,8GiB/s] :bw", Dim::kBandwidth);
  EXPECT_DOUBLE_EQ(b.range->lo, 4e9);
  EXPECT_DOUBLE_EQ(b.range->hi, 8.0 * 1073741824.0);
  EXPECT_EQ(b.source, "bw");
}

TEST(ProvenanceTag, RelativeRangesAreFactors) {
  ProvenanceTag p = ok("assumption [x0.5, x2]: one fit", Dim::kBandwidth, "a table");
  ASSERT_TRUE(p.range);
  EXPECT_TRUE(p.range->relative);
  EXPECT_DOUBLE_EQ(p.range->lo, 0.5);
  EXPECT_DOUBLE_EQ(p.range->hi, 2.0);
  EXPECT_EQ(range_text(*p.range, Dim::kBandwidth), "[x0.5, x2]");
}

TEST(ProvenanceTag, OtherCommentsAreUntagged) {
  for (const char* text : {"[PI2] big 3.3 GHz", "", "assumptions are listed above",
                           "Measured: capitalised words are not tags", "measuredly"}) {
    ProvenanceTag t = ok(text);
    EXPECT_EQ(t.kind, ProvenanceKind::kUntagged) << text;
    EXPECT_EQ(t.source, text);
  }
}

TEST(ProvenanceTag, MalformedTagsSayWhatIsWrongAndWhere) {
  EXPECT_EQ(error_of("assumption: clock-gated idle core"),
            "10: 'assumption' needs its plausible range: assumption [LO, HI]: REASON");
  EXPECT_EQ(error_of("assumption [0.02W, 0.1]: x", Dim::kPower),
            "19: range end: '0.1' has no unit; a power needs one, e.g. 2.5W");
  EXPECT_EQ(error_of("assumption [2GHz, 3GHz]: x", Dim::kPower),
            "12: range end: unknown unit 'GHz' for a power (expected e.g. 2.5W)");
  EXPECT_EQ(error_of("assumption [0.1W, 0.02W]: x", Dim::kPower),
            "12: the range's low end is above its high end: [100mW, 20mW]");
  EXPECT_EQ(error_of("assumption [x0.5, 2W]: x", Dim::kPower),
            "18: both ends of a range are factors (x0.5) or both values, not one of each");
  EXPECT_EQ(error_of("assumption [0.5, 0.9]: x", Dim::kNumber, "a table"),
            "12: a table takes a relative range [xLO, xHI]");
  EXPECT_EQ(error_of("assumption [x0.5 x2]: x"), "11: a range has two ends: [LO, HI]");
  EXPECT_EQ(error_of("assumption [x0.5, x2, x3]: x"), "11: a range has two ends: [LO, HI]");
  EXPECT_EQ(error_of("assumption [x0.5, x2: x"), "11: the range has no closing ']'");
  EXPECT_EQ(error_of("assumption [x0, x2]: x"), "12: range end: the factor 'x0' must be positive");
  EXPECT_EQ(error_of("assumption [xhalf, x2]: x"),
            "12: range end: 'xhalf' is not a factor such as x0.5");
  EXPECT_EQ(error_of("assumption [x0.5, x2] reason"),
            "22: expected ':' after the range: assumption [LO, HI]: REASON");
  EXPECT_EQ(error_of("assumption [x0.5, x2]:  "),
            "21: 'assumption:' needs its reason after the colon");
  EXPECT_EQ(error_of("measured Table 3"), "9: expected ':' after 'measured' (measured: SOURCE)");
  EXPECT_EQ(error_of("datasheet (weak): x"),
            "10: expected ':' after 'datasheet' (datasheet: SOURCE)");
  EXPECT_EQ(error_of("datasheet:"), "9: 'datasheet:' needs its source after the colon");
  EXPECT_EQ(error_of("assumption busy_power [x0.8, x1.2]: x"),
            "11: 'assumption busy_power' names a value, which only a line of several values can "
            "do: assumption [LO, HI]: REASON");
}

TEST(ProvenanceTag, ALineOfSeveralValuesMayNameTheValueItsRangeIsFor) {
  const TagParse p = parse_provenance_tag("assumption busy_power [x0.8, x1.2]: P ~ f V^2",
                                          Dim::kPower, "a line of several values");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.tag.range_key, "busy_power");
  ASSERT_TRUE(p.tag.range);
  EXPECT_DOUBLE_EQ(p.tag.range->lo, 0.8);
  EXPECT_EQ(p.tag.source, "P ~ f V^2");
}

TEST(ProvenanceTag, RangeMustContainTheValue) {
  const ProvenanceRange abs{false, 0.02, 0.1};
  EXPECT_EQ(range_excludes(abs, 0.05, Dim::kPower), "");
  EXPECT_EQ(range_excludes(abs, 0.1, Dim::kPower), "");
  EXPECT_EQ(range_excludes(abs, 0.5, Dim::kPower),
            "the range [20mW, 100mW] does not contain the value 500mW");
  EXPECT_EQ(range_excludes({true, 0.5, 2}, 123.0, Dim::kPower), "");
  EXPECT_EQ(range_excludes({true, 1.1, 2}, 123.0, Dim::kPower),
            "the range [x1.1, x2] does not contain the value itself (x1)");
}

TEST(LineComments, FindTheCommentOutsideQuotes) {
  const LineComments c(
      "# a full-line comment\n"
      "name: \"a # b\"   # after a quoted value\n"
      "soc: it's # after a plain word with a quote\n"
      "x: 1#not a comment\n"
      "y: 2   #   spaced   \n");
  ASSERT_TRUE(c.on_line(1));
  EXPECT_EQ(c.on_line(1)->text, "a full-line comment");
  EXPECT_EQ(c.on_line(1)->col, 3);
  EXPECT_EQ(c.on_line(2)->text, "after a quoted value");
  EXPECT_EQ(c.on_line(3)->text, "after a plain word with a quote");
  EXPECT_FALSE(c.on_line(4));
  EXPECT_EQ(c.on_line(5)->text, "spaced");
  EXPECT_EQ(c.on_line(5)->col, 12);
  EXPECT_FALSE(c.on_line(0));
  EXPECT_FALSE(c.on_line(7));
}
