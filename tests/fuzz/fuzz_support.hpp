// Shared helpers of the fuzz harnesses (tests/fuzz/fuzz_*.cpp): most socsim loaders read a path,
// so a harness writes each input to a file in a directory of its own process (under /dev/shm when
// it exists, a tmpfs, else the system's temp directory), removed when the process ends.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace socsim::fuzz {

// The input as text (bytes as they are; loaders must cope with any byte).
inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The process's scratch directory, created on first use and removed at exit.
inline const std::filesystem::path& scratch_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      namespace fs = std::filesystem;
      const fs::path base =
          fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
      path = base / ("socsim-fuzz-" + std::to_string(::getpid()));
      fs::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// Writes the input to `name` in the scratch directory (replacing the last input) and returns its
// path. The name's extension matters to some loaders (".json" reads a Hugging Face config).
inline std::string input_file(const uint8_t* data, size_t size, const std::string& name) {
  const std::string path = (scratch_dir() / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace socsim::fuzz
