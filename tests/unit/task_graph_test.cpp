// The task graph's storage: ops with equal part lists share one stored list, and changing one
// op's parts copies its list first, so no other op sees the change.
#include <gtest/gtest.h>

#include "sim/graph/op_formulas.hpp"
#include "sim/graph/task_graph.hpp"

namespace socsim {
namespace {

std::vector<OpPart> layer_parts(int64_t rows) {
  return {formulas::matmul(rows, 2048, 6144, DType::kInt8, DType::kInt8, DType::kFp16),
          formulas::matmul(rows, 2048, 2048, DType::kInt8, DType::kInt8, DType::kFp16)};
}

TEST(TaskGraph, EqualPartListsAreStoredOnce) {
  TaskGraph g;
  const auto a = layer_parts(1), b = layer_parts(16);
  for (int layer = 0; layer < 8; ++layer) g.add(Op{}, a, {}, "decode");
  g.add(Op{}, b, {}, "prefill");
  EXPECT_EQ(g.size(), 9u);
  EXPECT_EQ(g.stored_parts(), 4u);  // two lists of two parts, not nine
  for (OpId i = 0; i < 8; ++i) {
    ASSERT_EQ(g.parts(i).size(), 2u);
    EXPECT_EQ(g.parts(i)[0].m, 1);
    EXPECT_EQ(g.parts(i)[1].n, 2048);
  }
  EXPECT_EQ(g.parts(8)[0].m, 16);
  EXPECT_DOUBLE_EQ(g.total_flops(), 8 * (a[0].flops + a[1].flops) + b[0].flops + b[1].flops);
}

TEST(TaskGraph, ChangingASharedListCopiesIt) {
  TaskGraph g;
  const auto a = layer_parts(1);
  for (int layer = 0; layer < 3; ++layer) g.add(Op{}, a, {}, "decode");
  for (OpPart& p : g.parts_mut(1)) p.dtype = DType::kFp32;
  EXPECT_EQ(g.parts(0)[0].dtype, DType::kInt8);
  EXPECT_EQ(g.parts(1)[0].dtype, DType::kFp32);
  EXPECT_EQ(g.parts(2)[1].dtype, DType::kInt8);
  // The other two still share; changing the last user left copies nothing more.
  for (OpPart& p : g.parts_mut(0)) p.dtype = DType::kFp16;
  const size_t stored = g.stored_parts();
  for (OpPart& p : g.parts_mut(2)) p.dtype = DType::kFp16;
  EXPECT_EQ(g.stored_parts(), stored);
  EXPECT_EQ(g.parts(2)[0].dtype, DType::kFp16);
  EXPECT_EQ(g.parts(1)[0].dtype, DType::kFp32);
  // A list equal to one that is no longer shared is stored anew, not aliased to a changed one.
  g.add(Op{}, a, {}, "decode");
  EXPECT_EQ(g.parts(3)[0].dtype, DType::kInt8);
}

}  // namespace
}  // namespace socsim
