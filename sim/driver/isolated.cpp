// Forked execution of one design point; see isolated.hpp.
#include "sim/driver/isolated.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

#include "sim/config/diagnostics.hpp"

namespace socsim {
namespace {

bool write_all(int fd, const void* data, size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w, n -= static_cast<size_t>(w);
  }
  return true;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t r; (r = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(r));
  return out;
}

// Records of severity digit, then line, col, file and message separated by \x1f, ended by \x1e.
std::string encode_diagnostics(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags.all())
    out += fmt::format("{}{}\x1f{}\x1f{}\x1f{}\x1e", static_cast<int>(d.severity), d.loc.line,
                       d.loc.col, d.loc.file, d.message);
  return out;
}

Diagnostics decode_diagnostics(const std::string& text) {
  Diagnostics d;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\x1e', pos);
    if (end == std::string::npos) end = text.size();
    std::vector<std::string> f;
    for (size_t a = pos + 1; a <= end;) {
      size_t b = text.find('\x1f', a);
      if (b == std::string::npos || b > end || f.size() == 3) b = end;
      f.push_back(text.substr(a, b - a));
      a = b + 1;
    }
    if (f.size() == 4) {
      const SourceLoc loc{f[2], std::stoi(f[0]), std::stoi(f[1])};
      switch (text[pos]) {
        case '0':
          d.error(loc, f[3]);
          break;
        case '1':
          d.warning(loc, f[3]);
          break;
        default:
          d.note(loc, f[3]);
      }
    }
    pos = end + 1;
  }
  return d;
}

}  // namespace

std::string run_isolated_bytes(const std::function<std::string()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe() failed");
  // Pending output would be written twice if the child flushed its copy of the buffers.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {  // child: 'v' + result, 'i' + input error text, 'e' + other error text
    ::close(fds[0]);
    std::string msg;
    char kind = 'v';
    try {
      msg = fn();
    } catch (const InputError& e) {
      kind = 'i', msg = encode_diagnostics(e.diagnostics());
    } catch (const std::exception& e) {
      kind = 'e', msg = e.what();
    }
    const bool ok = write_all(fds[1], &kind, 1) && write_all(fds[1], msg.data(), msg.size());
    ::close(fds[1]);
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  const std::string data = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (data.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("a design point's child process died");
  const std::string body = data.substr(1);
  if (data[0] == 'i') throw InputError(decode_diagnostics(body));
  if (data[0] == 'e') throw std::runtime_error(body);
  return body;
}

std::vector<double> run_isolated(const std::function<std::vector<double>()>& fn) {
  const std::string body = run_isolated_bytes([&] {
    const std::vector<double> v = fn();
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
  });
  std::vector<double> values(body.size() / sizeof(double));
  if (!values.empty())  // memcpy's pointers must not be null, even for 0 bytes
    std::memcpy(values.data(), body.data(), values.size() * sizeof(double));
  return values;
}

}  // namespace socsim
