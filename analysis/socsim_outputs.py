"""Readers of socsim's outputs for the analysis scripts: a sweep directory (results.csv plus its
manifest), a reproduction CSV, and a Perfetto/Chrome trace. Only files socsim writes are read,
never its sources. Every reader raises OutputError with the path and what is wrong, which the
scripts print and turn into exit code 2.
"""
import json
import os

import pandas as pd

# Columns of a sweep's results.csv that are neither axes nor metrics.
SWEEP_META = {"point", "status", "message", "error"}
REPRODUCE_COLUMNS = ["experiment", "label", "metric", "simulated", "published", "error"]


class OutputError(Exception):
    """An output file that is missing or not what socsim writes."""


def _read_csv(path):
    if not os.path.exists(path):
        raise OutputError(f"{path}: error: no such file")
    try:
        return pd.read_csv(path)
    except Exception as e:  # pandas raises several types for unreadable files
        raise OutputError(f"{path}: error: cannot read CSV: {e}") from e


class Sweep:
    """A sweep's rows (one per design point), its axes and its numeric metrics."""

    def __init__(self, directory):
        self.directory = directory
        self.rows = _read_csv(os.path.join(directory, "results.csv"))
        if "point" not in self.rows.columns or "status" not in self.rows.columns:
            raise OutputError(f"{directory}/results.csv: error: not a sweep result "
                              "(needs columns point and status)")
        self.axes = self._axes()
        # Axis values keep the text socsim wrote ('64', '600MHz'), not pandas' guess of a type.
        text = pd.read_csv(os.path.join(directory, "results.csv"), dtype=str,
                           usecols=self.axes) if self.axes else None
        for axis in self.axes:
            self.rows[axis] = text[axis]
        self._fill_unset_axes()
        self.metrics = [c for c in self.rows.columns
                        if c not in SWEEP_META and c not in self.axes
                        and pd.api.types.is_numeric_dtype(self.rows[c])]
        self.name = self._name()

    def _manifest(self):
        for name in ("sweep.json", "manifest.json"):
            path = os.path.join(self.directory, name)
            if os.path.exists(path):
                try:
                    with open(path) as f:
                        return json.load(f)
                except (OSError, ValueError) as e:
                    raise OutputError(f"{path}: error: cannot read JSON: {e}") from e
        return {}

    def _axes(self):
        axes = self._manifest().get("axes")
        if isinstance(axes, list) and axes:
            names = [a if isinstance(a, str) else a.get("path") or a.get("name") for a in axes]
            return [n for n in names if n in self.rows.columns]
        # Without a manifest: the columns between `point` and `status`.
        cols = list(self.rows.columns)
        return cols[cols.index("point") + 1:cols.index("status")]

    def _fill_unset_axes(self):
        """A point that leaves an axis unset runs the base value: show that value (from the
        manifest's base run) or '(default)', never an empty cell."""
        base = self._manifest().get("base", {})
        known = {k: v for k, v in base.items() if k in ("hw", "model", "policy", "backend")}
        for item in base.get("sets", []):
            path, _, value = str(item).partition("=")
            known[path] = value
        for axis in self.axes:
            if self.rows[axis].isna().any():
                self.rows[axis] = self.rows[axis].astype(object).where(
                    self.rows[axis].notna(), known.get(axis, "(default)"))

    def _name(self):
        name = self._manifest().get("name")
        return name if isinstance(name, str) and name else os.path.basename(
            os.path.normpath(self.directory))

    def ok(self):
        """Rows of the points that ran to the end."""
        return self.rows[self.rows["status"] == "ok"]

    def varying_axes(self):
        """Axes that take more than one value among the rows."""
        return [a for a in self.axes if self.rows[a].nunique(dropna=False) > 1]

    def require_metric(self, metric):
        if metric not in self.rows.columns:
            raise OutputError(f"{self.directory}/results.csv: error: no metric '{metric}' "
                              f"(metrics: {', '.join(self.metrics[:12])}...)")

    def require_axis(self, axis):
        if axis not in self.axes:
            raise OutputError(f"{self.directory}/results.csv: error: no axis '{axis}' "
                              f"(axes: {', '.join(self.axes)})")


def axis_order(values):
    """Sort axis values numerically when they carry a number with a unit ('600MHz', '7GB')."""
    def key(v):
        s = str(v)
        digits = ""
        for ch in s:
            if ch.isdigit() or ch in ".-+e" and digits:
                digits += ch
            elif digits:
                break
        try:
            return (0, float(digits), s)
        except ValueError:
            return (1, 0.0, s)
    return sorted(pd.unique(values), key=key)


def read_reproduction(path):
    df = _read_csv(path)
    missing = [c for c in REPRODUCE_COLUMNS if c not in df.columns]
    if missing or df.empty:
        raise OutputError(f"{path}: error: not a `socsim reproduce` CSV "
                          f"(missing columns: {missing or 'rows'})")
    return df


def is_reproduction(path):
    try:
        with open(path) as f:
            header = f.readline().strip().split(",")
    except OSError:
        return False
    return all(c in header for c in REPRODUCE_COLUMNS)


def read_trace(path):
    """Complete events of a `socsim run --trace` file as a DataFrame: track, name, phase,
    start_s, dur_s (one row per unit an op occupies)."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise OutputError(f"{path}: error: cannot read trace JSON: {e}") from e
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        raise OutputError(f"{path}: error: no traceEvents list")
    tracks = {e["tid"]: e["args"]["name"] for e in events
              if e.get("ph") == "M" and e.get("name") == "thread_name"}
    rows = [{"tid": e["tid"], "track": tracks.get(e["tid"], str(e["tid"])), "name": e["name"],
             "phase": e.get("args", {}).get("phase", ""), "start_s": e["ts"] * 1e-6,
             "dur_s": e["dur"] * 1e-6}
            for e in events if e.get("ph") == "X"]
    if not rows:
        raise OutputError(f"{path}: error: the trace holds no op (no 'X' events)")
    return pd.DataFrame(rows)


# Units of socsim's result keys, by their ending (longest first), for chart labels.
_UNIT_SUFFIXES = [
    ("_tokens_per_s", "tok/s"), ("_j_per_token", "J/token"), ("_bytes_per_token", "bytes/token"),
    ("_bytes", "GB"), ("_s", "s"), ("_j", "J"), ("_w", "W"), ("_hz", "Hz"),
]
_NAMES = {"ttft": "TTFT", "ttft_tokens_per_s": "TTFT throughput"}


def quantity_label(key):
    """A chart label naming the quantity with its unit: 'ttft_s' -> 'TTFT (s)',
    'prefill_tokens_per_s' -> 'prefill (tok/s)', 'peak_memory_bytes' -> 'peak memory (GB)'.
    Keys of a nested value ('decode_token_latency_s.p99') keep their last part; keys without a
    known unit are returned with underscores as spaces."""
    head, _, tail = key.partition(".")
    for suffix, unit in _UNIT_SUFFIXES:
        if head.endswith(suffix) and len(head) > len(suffix):
            base = head[: -len(suffix)]
            name = _NAMES.get(base, base.replace("_", " "))
            return f"{name}{' ' + tail if tail else ''} ({unit})"
    return key.replace("_", " ")


def quantity_values(values, key):
    """Values in the unit quantity_label names (bytes shown in GB)."""
    head = key.partition(".")[0]
    if head.endswith("_bytes"):
        return values / 1e9
    return values
