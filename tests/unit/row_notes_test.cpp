// The sweep parent's row notes (sim/sweep/row_notes.hpp): the CSV columns rebuilt from them in
// point order equal those of parsing every row in that order, even where the order of arrival
// gives other columns; counts by status; an unnoted point refuses; CSV records keep quoted
// newlines inside.
#include <gtest/gtest.h>

#include "sim/sweep/row_notes.hpp"

using namespace socsim;

namespace {

RowCells row(size_t point, std::string status, std::vector<std::string> keys) {
  RowCells r;
  r.point = point;
  r.status = std::move(status);
  for (std::string& k : keys) r.result.emplace_back(std::move(k), "1");
  return r;
}

TEST(RowNotes, ColumnsInPointOrderEqualParsingTheRowsInThatOrder) {
  // In point order: a, c, then b goes first (no key of its row precedes it): b, a, c. Arriving
  // as 2, 0, 1: b, then a before it and c after a: a, c, b.
  const std::vector<RowCells> rows = {row(0, "ok", {"a", "c"}), row(1, "ok", {"b", "c"}),
                                      row(2, "error", {"b"}), row(3, "ok", {"a", "c"})};
  RowNotes notes(4);
  CsvLayout arrival({"x"});
  for (size_t i : {2, 0, 1, 3}) {
    notes.note(rows[i]);
    arrival.add(rows[i]);
  }
  CsvLayout in_order({"x"});
  for (const RowCells& r : rows) in_order.add(r);
  const std::optional<CsvLayout> rebuilt = notes.layout({"x"}, {0, 1, 2, 3});
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(rebuilt->header(), in_order.header());
  EXPECT_EQ(in_order.header(), "point,x,status,message,b,a,c\n");
  EXPECT_EQ(arrival.header(), "point,x,status,message,a,c,b\n");
  EXPECT_NE(arrival.header(), in_order.header());
  const auto counts = notes.counts({0, 1, 2, 3});
  EXPECT_EQ(counts.at("ok"), 3u);
  EXPECT_EQ(counts.at("error"), 1u);
}

TEST(RowNotes, TheFirstRowOfAPointIsKeptAndAnUnnotedPointRefuses) {
  RowNotes notes(3);
  notes.note(row(1, "ok", {"a"}));
  notes.note(row(1, "error", {}));
  EXPECT_EQ(notes.counts({1}).at("ok"), 1u);
  EXPECT_FALSE(notes.layout({}, {0, 1}));
  notes.clear();
  EXPECT_FALSE(notes.noted(1));
}

TEST(RowNotes, CsvRecordsKeepQuotedNewlines) {
  const auto records = csv_records("point,m\n0,\"two\nlines\"\n1,\"a \"\"q\"\"\"\n2,last");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1], "0,\"two\nlines\"\n");
  EXPECT_EQ(records[2], "1,\"a \"\"q\"\"\"\n");
  EXPECT_EQ(records[3], "2,last");
}

}  // namespace
