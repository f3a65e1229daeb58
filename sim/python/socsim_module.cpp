// The `socsim._socsim` extension module behind `import socsim` (sim/python/socsim/__init__.py).
// Every call that simulates or runs a subcommand does so in a forked child
// (sim/driver/isolated.hpp), like a sweep point, so SimGrid's process-wide state never leaks from
// one call into the next and a crash cannot take the interpreter down. Results and errors come back
// as JSON text: the Python side turns them into dicts or raises InputError (located messages) /
// InfeasibleError.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/cli/cli_app.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/driver/inputs.hpp"
#include "sim/driver/isolated.hpp"
#include "sim/driver/simulate.hpp"
#include "sim/policy/policy.hpp"
#include "sim/report/result_json.hpp"
#include "sim/session/session_report.hpp"
#include "sim/session/session_sim.hpp"

namespace py = pybind11;
using namespace socsim;

namespace {

// Runs `fn` in a child; its value or its error as {"result": ...} / {"error": kind, "message": m}.
std::string guarded(const std::function<nlohmann::ordered_json()>& fn) {
  py::gil_scoped_release release;
  return run_isolated_bytes([&] {
    nlohmann::ordered_json out;
    try {
      out["result"] = fn();
    } catch (const InputError& e) {
      out["error"] = "input", out["message"] = e.diagnostics().to_string();
    } catch (const InfeasibleError& e) {
      out["error"] = "infeasible", out["message"] = e.what();
    } catch (const std::exception& e) {
      out["error"] = "internal", out["message"] = e.what();
    }
    return out.dump();
  });
}

std::string run_point(const std::string& hw, const std::string& model, const std::string& policy,
                      const std::vector<std::string>& sets, const std::string& backend,
                      const std::string& session) {
  return guarded([&] {
    RunRequest req;
    req.hw = hw, req.model = model, req.policy = policy, req.sets = sets, req.session = session;
    if (backend != "simgrid" && backend != "analytic")
      throw InputError({"backend " + backend}, "backend must be 'simgrid' or 'analytic'");
    LoadedRun loaded = load_run(req);
    const BackendKind kind = backend == "analytic" ? BackendKind::kAnalytic : BackendKind::kSimGrid;
    if (runs_as_session(loaded)) {  // a session file, or the thermal model on: as `socsim run`
      prepare_session(loaded);
      return session_json(loaded, simulate_session(loaded, loaded.session, {false, kind}));
    }
    const auto out = simulate(loaded, kind);
    return nlohmann::ordered_json(result_json(loaded, *out));
  });
}

std::string slurp(std::FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
  return s;
}

// A socsim subcommand, as `socsim ARGS...` would run it: exit code, stdout and stderr.
std::string run_subcommand(const std::vector<std::string>& args) {
  return guarded([&] {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    if (!out || !err) throw std::runtime_error("cannot create temporary files");
    std::cout.flush(), std::fflush(stdout), std::fflush(stderr);
    ::dup2(::fileno(out), 1), ::dup2(::fileno(err), 2);
    std::vector<std::string> argv_s{"socsim"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int code = cli::run_cli(static_cast<int>(argv_s.size()), argv.data());
    std::cout.flush(), std::cerr.flush(), std::fflush(stdout), std::fflush(stderr);
    return nlohmann::ordered_json{{"code", code}, {"stdout", slurp(out)}, {"stderr", slurp(err)}};
  });
}

}  // namespace

PYBIND11_MODULE(_socsim, m) {
  m.doc() = "socsim's C++ core; use the socsim package, not this module";
  m.def("run", &run_point, py::arg("hw"), py::arg("model"), py::arg("policy"), py::arg("sets"),
        py::arg("backend"), py::arg("session"));
  m.def("subcommand", &run_subcommand, py::arg("args"));
  m.def(
      "shipped", [](const std::string& dir) { return shipped_names(dir); }, py::arg("dir"));
  m.def("policies", [] {
    std::vector<std::pair<std::string, std::string>> v;
    for (const std::string& n : policy_names()) v.emplace_back(n, find_policy(n)->summary);
    return v;
  });
}
