// Whole-file reading; see file_text.hpp.
#include "sim/config/file_text.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace socsim {

std::optional<std::string> read_file_text(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || std::filesystem::is_directory(status)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  if (!std::filesystem::is_regular_file(status)) {  // a pipe or device: read until its end
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return std::nullopt;
    return text;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) return std::nullopt;
  return text;
}

}  // namespace socsim
