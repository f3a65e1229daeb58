// Reading a whole input or output file into memory, the one way every command does it: a single
// read into a string of the file's size (a stream copy of a sweep's tens of MB of rows costs a
// second or so in copies and page faults). Callers turn a failure into their own error.
#pragma once

#include <optional>
#include <string>

namespace socsim {

// The file's bytes, or nullopt when it cannot be opened or read.
std::optional<std::string> read_file_text(const std::string& path);

}  // namespace socsim
