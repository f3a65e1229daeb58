#!/usr/bin/env python3
"""Gantt chart of one run from its trace (`socsim run --trace FILE`): one row per unit track
(CPU cores, GPU, NPU, flash), one bar per op, coloured by phase (setup, prefill, decode), with the
busy share of each track in its label. --start/--end (seconds) zoom into a window.

    python3 analysis/gantt.py trace.json [-o gantt.png] [--start 0 --end 0.5]
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from socsim_outputs import OutputError, read_trace  # noqa: E402

PHASE_COLORS = {"setup": "#9467bd", "prefill": "#1f77b4", "decode": "#ff7f0e"}


def draw(events, ax, start=None, end=None, title=""):
    t0 = events["start_s"].min() if start is None else start
    t1 = (events["start_s"] + events["dur_s"]).max() if end is None else end
    if not t1 > t0:
        raise OutputError(f"error: empty time window [{t0}, {t1}] s")
    window = events[(events["start_s"] < t1) & (events["start_s"] + events["dur_s"] > t0)]
    tracks = sorted(events["tid"].unique())
    # Thousands of bars are drawn as one embedded image in vector output (SVG stays small).
    raster = len(window) > 2000
    names = dict(zip(events["tid"], events["track"]))
    for row, tid in enumerate(tracks):
        part = window[window["tid"] == tid]
        lo = part["start_s"].clip(lower=t0)
        hi = (part["start_s"] + part["dur_s"]).clip(upper=t1)
        busy = (hi - lo).sum() / (t1 - t0)
        for phase, color in PHASE_COLORS.items():
            sel = part["phase"] == phase
            ax.broken_barh(list(zip(lo[sel], (hi - lo)[sel])), (row - 0.4, 0.8),
                           facecolors=color, edgecolor="none", rasterized=raster)
        other = ~part["phase"].isin(PHASE_COLORS.keys())
        ax.broken_barh(list(zip(lo[other], (hi - lo)[other])), (row - 0.4, 0.8),
                       facecolors="#7f7f7f", edgecolor="none", rasterized=raster)
        names[tid] = f"{names[tid]} ({100 * busy:.0f}%)"
    ax.set_yticks(range(len(tracks)))
    ax.set_yticklabels([names[t] for t in tracks], fontsize=7)
    ax.set_ylim(-0.6, len(tracks) - 0.4)
    ax.set_xlim(t0, t1)
    ax.invert_yaxis()
    ax.set_xlabel("simulated time (s)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in PHASE_COLORS.values()]
    ax.legend(handles, PHASE_COLORS.keys(), fontsize=7, loc="upper right")
    ax.set_title(title or f"{len(window)} op slices on {len(tracks)} tracks", fontsize=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace")
    ap.add_argument("-o", "--out", help="PNG or SVG (default: the trace path with .png)")
    ap.add_argument("--start", type=float, help="window start (s)")
    ap.add_argument("--end", type=float, help="window end (s)")
    args = ap.parse_args()
    try:
        events = read_trace(args.trace)
        fig, ax = plt.subplots(figsize=(10, 0.3 * events["tid"].nunique() + 1.5))
        draw(events, ax, args.start, args.end)
    except OutputError as e:
        print(e, file=sys.stderr)
        return 2
    fig.tight_layout()
    out = args.out or args.trace.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
