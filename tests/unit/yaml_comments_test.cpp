// Comment removal before YAML parsing: every shipped YAML file reads the same with and without
// its comments, error locations do not move, and what only looks like a comment is kept.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "sim/config/diagnostics.hpp"
#include "sim/config/yaml_comments.hpp"
#include "sim/config/yaml_reader.hpp"

using namespace socsim;
namespace fs = std::filesystem;

namespace {

std::string dump(const std::string& yaml) {
  YAML::Emitter e;
  e << YAML::Load(yaml);
  return e.c_str();
}

}  // namespace

TEST(YamlComments, EveryShippedFileParsesTheSameWithoutItsComments) {
  int files = 0;
  size_t before = 0, after = 0;
  for (const char* dir : {"hwprofiles", "models", "experiments", "tests/config_errors"}) {
    const fs::path root = fs::path(SOCSIM_DATA_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
      Diagnostics read_diags;
      const std::string text = read_input_text(e.path().string(), read_diags).value();
      std::string original;
      try {
        original = dump(text);
      } catch (const YAML::Exception&) {
        continue;  // the error cases are checked for their locations below
      }
      const std::string stripped = strip_yaml_comments(text);
      EXPECT_EQ(dump(stripped), original) << e.path();
      // Same number of lines: errors keep their line numbers.
      EXPECT_EQ(std::count(stripped.begin(), stripped.end(), '\n'),
                std::count(text.begin(), text.end(), '\n'))
          << e.path();
      before += text.size(), after += stripped.size();
      ++files;
    }
  }
  EXPECT_GT(files, 40);
  // The profiles are mostly evidence comments: the parser is handed well under half the text.
  EXPECT_LT(static_cast<double>(after), 0.5 * static_cast<double>(before));
}

TEST(YamlComments, KeepsWhatIsNotAComment) {
  EXPECT_EQ(strip_yaml_comments("a: 1 # one\nb: 2\n"), "a: 1\nb: 2\n");
  EXPECT_EQ(strip_yaml_comments("# head\n\nx: y\n"), "\n\nx: y\n");
  // '#' without a space before it is content.
  EXPECT_EQ(strip_yaml_comments("url: https://x.org/a#b\n"), "url: https://x.org/a#b\n");
  // Inside quotes, with escapes and doubled single quotes.
  EXPECT_EQ(strip_yaml_comments("a: \"x # y\" # z\n"), "a: \"x # y\"\n");
  EXPECT_EQ(strip_yaml_comments("a: \"q\\\" # y\" # z\n"), "a: \"q\\\" # y\"\n");
  EXPECT_EQ(strip_yaml_comments("a: 'it''s # y' # z\n"), "a: 'it''s # y'\n");
  EXPECT_EQ(strip_yaml_comments("- ['a # b', c] # z\n"), "- ['a # b', c]\n");
  // An apostrophe inside a plain scalar does not open a quote.
  EXPECT_EQ(strip_yaml_comments("a: it's # z\nb: 'c # d'\n"), "a: it's\nb: 'c # d'\n");
  // A block scalar's lines are content: the rest is kept as it is.
  const std::string block = "a: |\n  # not a comment\n  x\nb: 1 # c\n";
  EXPECT_EQ(strip_yaml_comments(block), block);
  EXPECT_EQ(dump(strip_yaml_comments(block)), dump(block));
  // So is everything after a quoted scalar that goes on to the next line.
  const std::string multi = "a: \"one # two\n  three\" # c\nb: 1 # d\n";
  EXPECT_EQ(strip_yaml_comments(multi), multi);
}

TEST(YamlComments, ErrorsKeepTheirLineAndColumn) {
  Diagnostics d;
  const std::string text = "# a comment\nkey: value # another\nbad: [1, 2 # open\n";
  EXPECT_FALSE(parse_yaml_text(text, "t.yaml", d).has_value());
  try {
    YAML::Load(text);
    FAIL() << "yaml-cpp accepted an unclosed flow sequence";
  } catch (const YAML::Exception& e) {
    const std::string at =
        "t.yaml:" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ":";
    EXPECT_NE(d.to_string().find(at), std::string::npos) << d.to_string() << " vs " << at;
  }
}
