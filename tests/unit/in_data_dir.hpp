// A test fixture that runs each test from the repository root (SOCSIM_DATA_DIR), so that fixture
// paths such as tests/provenance/tagged.yaml, and the locations in expected messages, are the same
// on every checkout.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

namespace socsim::testing {

class InDataDir : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = std::filesystem::current_path();
    std::filesystem::current_path(SOCSIM_DATA_DIR);
  }
  void TearDown() override { std::filesystem::current_path(saved_); }

 private:
  std::filesystem::path saved_;
};

}  // namespace socsim::testing
