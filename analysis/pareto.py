#!/usr/bin/env python3
"""Pareto front of a sweep: the design points no other point beats on every objective (latency,
energy, memory by default), as a CSV and a scatter chart of the first two objectives with the
front drawn and the third as colour.

Objectives are result columns, minimised unless suffixed ':max' (e.g. decode_tokens_per_s:max).
Only points with status ok take part.

    python3 analysis/pareto.py SWEEP_DIR [--objectives ttft_s,energy_j,peak_memory_bytes]
        [-o front.png] [--csv front.csv]
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from socsim_outputs import OutputError, Sweep, quantity_label, quantity_values  # noqa: E402

DEFAULT_OBJECTIVES = "ttft_s,energy_j,peak_memory_bytes"


def parse_objectives(text, sweep):
    objectives = []
    for item in text.split(","):
        name, _, sense = item.strip().partition(":")
        if sense not in ("", "min", "max"):
            raise OutputError(f"--objectives: error: '{item}': the sense must be :min or :max")
        sweep.require_metric(name)
        objectives.append((name, sense == "max"))
    if len(objectives) < 2:
        raise OutputError("--objectives: error: name at least two objectives")
    return objectives


def front_mask(values):
    """values: n x k array to minimise. True for the non-dominated rows (ties are all kept)."""
    n = len(values)
    keep = np.ones(n, dtype=bool)
    order = np.lexsort(values.T[::-1])  # by first objective, then the next ones
    for pos, i in enumerate(order):
        if not keep[i]:
            continue
        later = order[pos + 1:]
        dominated = np.all(values[later] >= values[i], axis=1) & np.any(
            values[later] > values[i], axis=1)
        keep[later[dominated]] = False
    return keep


def pareto(sweep, objectives, rows=None):
    """The ok rows (of `rows`, default all) on the front, sorted by the first objective."""
    ok = (sweep.ok() if rows is None else rows).dropna(subset=[name for name, _ in objectives])
    if ok.empty:
        raise OutputError(f"{sweep.directory}: error: no point with status ok and every objective")
    signs = np.array([-1.0 if is_max else 1.0 for _, is_max in objectives])
    values = ok[[name for name, _ in objectives]].to_numpy(dtype=float) * signs
    return ok[front_mask(values)].sort_values(objectives[0][0])


def scaled(values, name):
    """Values and a label naming the quantity with its unit (bytes shown in GB)."""
    return quantity_values(values, name), quantity_label(name)


def plot(sweep, objectives, front, ax, rows=None, title=None):
    ok = sweep.ok() if rows is None else rows
    (x, _), (y, _) = objectives[0], objectives[1]
    color = objectives[2][0] if len(objectives) > 2 else None
    (ox, xlabel), (oy, ylabel) = scaled(ok[x], x), scaled(ok[y], y)
    (fx, _), (fy, _) = scaled(front[x], x), scaled(front[y], y)
    ax.scatter(ox, oy, s=10, color="#c8c8c8", label=f"all points ({len(ok)})")
    fc, clabel = scaled(front[color], color) if color else (None, None)
    style = {"c": fc, "cmap": "viridis"} if color else {"color": "#d62728"}
    sc = ax.scatter(fx, fy, s=30, edgecolors="black", linewidths=0.5, zorder=3,
                    label=f"Pareto front ({len(front)})", **style)
    ax.plot(fx, fy, color="#d62728", linewidth=0.8, zorder=2)
    if color:
        bar = plt.colorbar(sc, ax=ax, label=clabel)
        bar.formatter.set_useOffset(False)
        bar.update_ticks()
    # Spans of more than two decades read better on log axes.
    for values, set_scale in ((ox, ax.set_xscale), (oy, ax.set_yscale)):
        positive = values[values > 0]
        if len(positive) == len(values) and positive.max() > 100 * positive.min():
            set_scale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.set_title(title or f"{sweep.name}: Pareto front over "
                 f"{', '.join(n for n, _ in objectives)}", fontsize=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep_dir")
    ap.add_argument("--objectives", default=DEFAULT_OBJECTIVES)
    ap.add_argument("-o", "--out", help="PNG or SVG (default SWEEP_DIR/pareto.png)")
    ap.add_argument("--csv", help="front rows (default SWEEP_DIR/pareto.csv)")
    args = ap.parse_args()
    try:
        sweep = Sweep(args.sweep_dir)
        objectives = parse_objectives(args.objectives, sweep)
        front = pareto(sweep, objectives)
    except OutputError as e:
        print(e, file=sys.stderr)
        return 2
    csv = args.csv or f"{args.sweep_dir}/pareto.csv"
    front.to_csv(csv, index=False)
    fig, ax = plt.subplots(figsize=(7, 5))
    plot(sweep, objectives, front, ax)
    fig.tight_layout()
    out = args.out or f"{args.sweep_dir}/pareto.png"
    fig.savefig(out, dpi=120)
    print(f"{len(front)} of {len(sweep.ok())} points on the front; wrote {csv} and {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
