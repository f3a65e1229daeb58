// `socsim check --random`'s parts: random points are a function of (seed, index) and always load
// and pass their policy's check; each metamorphic relation compares in its own direction and its
// variant changes only what it names; the report is identical under -j 1 and -j 2 and reruns of
// a point (fresh process, sweep point runner) agree bit for bit; a broken relation makes the check
// fail with a command reproducing it.
#include <gtest/gtest.h>

#include "sim/check/check.hpp"
#include "sim/check/random_check.hpp"

namespace socsim::test {
namespace {

using check::PointDrawer;
using check::RandomPoint;
using check::Relation;
using check::RunFigures;

check::RandomSpace shipped_policies() {
  check::RandomSpace s;
  for (const std::string& name : policy_names())
    if (name.rfind("test-", 0) != 0) s.policies.push_back(name);
  return s;
}

TEST(RandomCheck, a_point_depends_only_on_seed_and_index) {
  PointDrawer a(shipped_policies(), 7), b(shipped_policies(), 7), c(shipped_policies(), 8);
  const RandomPoint a5 = a.draw(5);
  b.draw(3);
  const RandomPoint b5 = b.draw(5);
  EXPECT_EQ(a5.command(), b5.command());
  EXPECT_NE(a5.command(), c.draw(5).command());
  EXPECT_NE(a5.command(), a.draw(6).command());
}

TEST(RandomCheck, drawn_points_load_pass_their_check_and_stay_in_range) {
  PointDrawer d(shipped_policies(), 3);
  for (size_t i = 0; i < 25; ++i) {
    const RandomPoint p = d.draw(i);
    EXPECT_EQ(check::screen(p.request, d.cache()), "") << p.command();
    EXPECT_GE(p.prompt, 1);
    EXPECT_LE(p.prompt, 32768);
    EXPECT_GE(p.gen, 0);
    EXPECT_LE(p.gen, 2048);
    EXPECT_NE(p.request.hw, "host");
  }
}

TEST(RandomCheck, relations_compare_in_their_own_direction) {
  const RunFigures base{1.0, 2.0};
  // Faster hardware, a larger budget: neither TTFT nor total may grow.
  EXPECT_EQ(check::compare(Relation::kDramBandwidth, base, {0.9, 1.9}), "");
  EXPECT_NE(check::compare(Relation::kDramBandwidth, base, {1.0, 2.1}), "");
  EXPECT_NE(check::compare(Relation::kMemoryBudget, base, {1.1, 2.0}), "");
  // The clock variant runs lower: it may not be faster.
  EXPECT_EQ(check::compare(Relation::kClock, base, {1.2, 2.5}), "");
  EXPECT_NE(check::compare(Relation::kClock, base, {1.0, 1.8}), "");
  // A longer prompt may not lower TTFT; more tokens may not lower the total.
  EXPECT_NE(check::compare(Relation::kLongerPrompt, base, {0.9, 3.0}), "");
  EXPECT_EQ(check::compare(Relation::kLongerPrompt, base, {1.1, 3.0}), "");
  EXPECT_NE(check::compare(Relation::kMoreGen, base, {1.0, 1.9}), "");
  // Rounding (1e-9 relative) is not a violation.
  EXPECT_EQ(check::compare(Relation::kCores, base, {1.0, 2.0 * (1 + 1e-12)}), "");
}

TEST(RandomCheck, each_variant_changes_only_what_its_relation_names) {
  PointDrawer d(shipped_policies(), 4);
  size_t seen[check::kRelations] = {};
  for (size_t i = 0; i < 12; ++i) {
    const RandomPoint p = d.draw(i);
    check::RandomStream r(9, i);
    for (const check::Variant& v : check::applicable_variants(p, r)) {
      ++seen[static_cast<size_t>(v.relation)];
      std::vector<std::string> changed;
      for (const std::string& s : v.request.sets)
        if (std::find(p.request.sets.begin(), p.request.sets.end(), s) == p.request.sets.end())
          changed.push_back(s.substr(0, s.find('=')));
      ASSERT_FALSE(changed.empty()) << v.change;
      const std::string name(check::relation_name(v.relation));
      for (const std::string& path : changed) {
        switch (v.relation) {
          case Relation::kLongerPrompt:
            EXPECT_EQ(path, "workload.prompt");
            break;
          case Relation::kMoreGen:
            EXPECT_EQ(path, "workload.gen");
            break;
          case Relation::kClock:
            EXPECT_NE(path.find(".clock"), std::string::npos) << path;
            break;
          case Relation::kDramBandwidth:
            EXPECT_EQ(path.rfind("hw.dram.", 0), 0u) << path;
            break;
          case Relation::kFlashBandwidth:
            EXPECT_EQ(path.rfind("hw.flash.", 0), 0u) << path;
            break;
          default:
            break;
        }
      }
      if (v.relation == Relation::kClock || v.relation == Relation::kLongerPrompt ||
          v.relation == Relation::kMoreGen) {
        EXPECT_EQ(check::screen(v.request, d.cache()), "") << name << ": " << v.change;
      }
    }
  }
  EXPECT_GT(seen[static_cast<size_t>(Relation::kLongerPrompt)], 0u);
  EXPECT_GT(seen[static_cast<size_t>(Relation::kClock)], 0u);
}

check::RandomCheckRequest small_request(int jobs) {
  check::RandomCheckRequest q;
  q.points = 6;
  q.seed = 11;
  q.jobs = jobs;
  q.determinism_every = 3;
  q.space.models = {"qwen1.5-1.8b", "llama-3.2-1b"};
  // Shipped policies only: this binary also registers the broken test policies.
  q.space.policies = shipped_policies().policies;
  q.space.max_prompt = 512;
  q.space.max_gen = 16;
  q.socsim_exe = SOCSIM_BINARY;
  return q;
}

TEST(RandomCheck, report_is_identical_under_one_and_two_jobs_and_reruns_agree) {
  const check::RandomCheckReport one = check::run_random_check(small_request(1));
  const check::RandomCheckReport two = check::run_random_check(small_request(2));
  EXPECT_EQ(check::random_report_json(one).dump(), check::random_report_json(two).dump());
  ASSERT_EQ(one.points.size(), 6u);
  size_t rerun = 0;
  for (const check::RandomPointReport& p : one.points) rerun += p.determinism_checked;
  EXPECT_GE(rerun, 1u);
  EXPECT_EQ(one.determinism_failures(), 0u) << check::format_random_report(one);
  EXPECT_GE(one.relations_checked(), 6u);
  EXPECT_EQ(one.failed_runs(), 0u) << check::format_random_report(one);
}

TEST(RandomCheck, a_broken_relation_fails_with_a_command_that_reproduces_it) {
  check::RandomCheckReport r;
  check::RandomPointReport p;
  p.point.index = 3;
  p.point.request = {"redmi-k70-pro", "qwen1.5-1.8b", "cpu", {"workload.prompt=9"}, {}};
  p.run.figures = {1.0, 2.0};
  check::RelationOutcome o;
  o.relation = Relation::kMoreGen;
  o.change = "workload.gen 4 -> 6";
  o.run.figures = {1.0, 1.5};
  o.broken = check::compare(o.relation, p.run.figures, o.run.figures);
  p.relations.push_back(o);
  r.points.push_back(p);
  EXPECT_EQ(r.relation_failures(), 1u);
  EXPECT_EQ(r.exit_code(), check::kExitCheckFailed);
  const std::string text = check::format_random_report(r);
  EXPECT_NE(text.find("more-gen (workload.gen 4 -> 6): total time fell"), std::string::npos)
      << text;
  EXPECT_NE(text.find("reproduce: socsim run --hw redmi-k70-pro --model qwen1.5-1.8b --policy "
                      "cpu --set 'workload.prompt=9'"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace socsim::test
