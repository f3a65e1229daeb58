#!/usr/bin/env python3
"""Charts of a sweep over its axes: a metric along one axis with a line per value of another
(`line`), or a metric over two axes as a heat map (`heat`). Axes that are not drawn must be
pinned with --where AXIS=VALUE (or take one value), so no cell silently mixes points.

    python3 analysis/plot_sweep.py line SWEEP_DIR --x policy.chunk_size --y prefill_tokens_per_s \
        [--hue hw] [--where hw.npu.clock=600MHz] [-o out.png]
    python3 analysis/plot_sweep.py heat SWEEP_DIR --x policy.chunk_size --y hw.npu.clock \
        --metric ttft_s [-o out.png]
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from socsim_outputs import OutputError, Sweep, axis_order, quantity_label  # noqa: E402


def select(sweep, where, drawn):
    """The ok rows with every --where pin applied; errors if an undrawn axis still varies."""
    rows = sweep.ok()
    for pin in where:
        axis, sep, value = pin.partition("=")
        if not sep:
            raise OutputError(f"--where {pin}: error: expected AXIS=VALUE")
        sweep.require_axis(axis)
        rows = rows[rows[axis].astype(str) == value]
        if rows.empty:
            raise OutputError(f"--where {pin}: error: no ok point has {axis}={value}")
    loose = [a for a in sweep.axes if a not in drawn and rows[a].nunique(dropna=False) > 1]
    if loose:
        raise OutputError("error: axes " + ", ".join(loose) + " vary but are not drawn; pin them "
                          "with --where AXIS=VALUE (values: " + "; ".join(
                              f"{a}: {', '.join(map(str, axis_order(rows[a])))}" for a in loose)
                          + ")")
    return rows


def line(sweep, x, y, hue, where, ax):
    for name in [x] + ([hue] if hue else []):
        sweep.require_axis(name)
    sweep.require_metric(y)
    rows = select(sweep, where, [x] + ([hue] if hue else []))
    order = axis_order(rows[x])
    groups = axis_order(rows[hue]) if hue else [None]
    for g in groups:
        part = rows if g is None else rows[rows[hue] == g]
        part = part.set_index(part[x].astype(str)).reindex([str(v) for v in order])
        ax.plot(range(len(order)), part[y].to_numpy(), marker="o", markersize=3,
                label=None if g is None else f"{hue}={g}")
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels([str(v) for v in order], rotation=45 if len(order) > 8 else 0,
                       ha="right" if len(order) > 8 else "center", fontsize=8)
    ax.set_xlabel(x)
    ax.set_ylabel(quantity_label(y))
    if hue:
        ax.legend(fontsize=7)
    ax.set_title(f"{sweep.name}: {quantity_label(y)} by {x}", fontsize=10)


def heat(sweep, x, y, metric, where, ax):
    for name in (x, y):
        sweep.require_axis(name)
    sweep.require_metric(metric)
    rows = select(sweep, where, [x, y])
    xs, ys = axis_order(rows[x]), axis_order(rows[y])
    grid = rows.pivot_table(index=rows[y].astype(str), columns=rows[x].astype(str),
                            values=metric, aggfunc="first")
    grid = grid.reindex(index=[str(v) for v in ys], columns=[str(v) for v in xs])
    im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", origin="lower", cmap="viridis")
    plt.colorbar(im, ax=ax, label=quantity_label(metric))
    ax.set_xticks(range(len(xs)))
    ax.set_xticklabels([str(v) for v in xs], rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(ys)))
    ax.set_yticklabels([str(v) for v in ys], fontsize=7)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if grid.size <= 150:
        for (i, j), v in ((ij, grid.to_numpy()[ij]) for ij in
                          ((i, j) for i in range(len(ys)) for j in range(len(xs)))):
            if v == v:  # not NaN
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=6, color="white")
    ax.set_title(f"{sweep.name}: {metric}", fontsize=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="kind", required=True)
    pl = sub.add_parser("line", help="a metric along one axis")
    pl.add_argument("sweep_dir")
    pl.add_argument("--x", required=True)
    pl.add_argument("--y", required=True, help="metric")
    pl.add_argument("--hue", help="axis: one line per value")
    ph = sub.add_parser("heat", help="a metric over two axes")
    ph.add_argument("sweep_dir")
    ph.add_argument("--x", required=True)
    ph.add_argument("--y", required=True, help="axis")
    ph.add_argument("--metric", required=True)
    for p in (pl, ph):
        p.add_argument("--where", action="append", default=[], help="AXIS=VALUE pin")
        p.add_argument("-o", "--out", help="PNG or SVG (default SWEEP_DIR/<kind>.png)")
    args = ap.parse_args()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    try:
        sweep = Sweep(args.sweep_dir)
        if args.kind == "line":
            line(sweep, args.x, args.y, args.hue, args.where, ax)
        else:
            heat(sweep, args.x, args.y, args.metric, args.where, ax)
    except OutputError as e:
        print(e, file=sys.stderr)
        return 2
    fig.tight_layout()
    out = args.out or f"{args.sweep_dir}/{args.kind}.png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
