"""socsim from Python: simulate design points, list and describe inputs, run sweeps.

    import socsim
    r = socsim.run(hw="redmi-k70-pro", model="qwen1.5-1.8b", policy="cpu", prompt=64, gen=8)
    print(r["ttft_s"])

Every call that simulates runs in its own child process, like a point of a sweep, so the result of
a call never depends on the calls before it: a loop of runs gives the numbers of as many
`socsim run --json` calls. Bad input raises InputError with the located messages
(`file:line:col: error: ...`), a run that cannot be done as asked raises InfeasibleError.
"""

import json
import os

from . import _socsim

__all__ = ["run", "list", "describe", "sweep", "load_results", "cli",
           "SocsimError", "InputError", "InfeasibleError"]

_list = list


class SocsimError(Exception):
    """An error reported by socsim."""


class InputError(SocsimError, ValueError):
    """Bad input: the message lists every problem as file:line:col: error: ..."""


class InfeasibleError(SocsimError):
    """The run cannot be done as asked (e.g. the model does not fit the memory budget)."""


def _unpack(text):
    reply = json.loads(text)
    kind = reply.get("error")
    if kind == "input":
        raise InputError(reply["message"].rstrip())
    if kind == "infeasible":
        raise InfeasibleError(reply["message"])
    if kind is not None:
        raise SocsimError(reply["message"])
    return reply["result"]


def _set_items(values):
    if values is None:
        return []
    if isinstance(values, dict):
        return [f"{k}={_text(v)}" for k, v in values.items()]
    return [str(v) for v in values]


def _text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def run(hw="redmi-k70-pro", model="qwen1.5-1.8b", policy="cpu", prompt=None, gen=None,
        memory=None, set=None, backend="simgrid", session=None):
    """Simulates one design point and returns the result dict of `socsim run --json`.

    hw, model: shipped names or paths; prompt, gen: token counts; memory: a budget with its unit
    ("6GB"); set: {"hw.npu.clock": "600MHz", ...} or ["key=value", ...], as --set; session: an
    app session (shipped name or path), as --session.
    """
    sets = []
    if prompt is not None:
        sets.append(f"workload.prompt={int(prompt)}")
    if gen is not None:
        sets.append(f"workload.gen={int(gen)}")
    if memory is not None:
        sets.append(f"workload.memory={memory}")
    sets += _set_items(set)
    return _unpack(_socsim.run(str(hw), str(model), str(policy), sets, str(backend),
                               "" if session is None else str(session)))


def cli(*args):
    """Runs a socsim subcommand in a child process; returns (exit code, stdout, stderr)."""
    r = _unpack(_socsim.subcommand([str(a) for a in args]))
    return r["code"], r["stdout"], r["stderr"]


def _checked(*args):
    code, out, err = cli(*args)
    if code == 2:
        raise InputError(err.rstrip())
    if code == 3:
        raise InfeasibleError(err.rstrip())
    if code != 0:
        raise SocsimError(err.rstrip() or f"socsim {args[0]} exited {code}")
    return out


def list():
    """Shipped inputs by kind: {"hardware": [...], "models": [...], "engines": [...],
    "policies": {name: summary}}."""
    return {
        "hardware": _list(_socsim.shipped("hwprofiles")),
        "models": _list(_socsim.shipped("models")),
        "engines": _list(_socsim.shipped("hwprofiles/engines")),
        "policies": dict(_socsim.policies()),
    }


def describe(name, provenance=False):
    """The text of `socsim describe NAME` (parameters, or a profile's resolved values), or with
    provenance=True its measured / datasheet / assumption shares."""
    return _checked("describe", name, *(["--provenance"] if provenance else []))


def sweep(file, out, jobs=None, restart=False):
    """Runs (or resumes) a sweep file into the folder `out` and returns its results as a pandas
    DataFrame (see load_results)."""
    args = ["sweep", file, "--out", out]
    if jobs is not None:
        args += ["-j", str(int(jobs))]
    if restart:
        args.append("--restart")
    _checked(*args)
    return load_results(out)


def load_results(folder):
    """A sweep folder's results.csv as a pandas DataFrame: one row per point, its axes, status
    and every result column."""
    import pandas as pd
    path = os.path.join(folder, "results.csv")
    if not os.path.exists(path):
        raise SocsimError(f"{path} does not exist: run the sweep first")
    return pd.read_csv(path)
