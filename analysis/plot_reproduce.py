#!/usr/bin/env python3
"""Side-by-side chart of a paper reproduction: simulated vs published values per point, with the
error of each point and the median absolute error in the title.

Reads only the CSV that `socsim reproduce` writes (columns: experiment, label, model, policy, sets,
prompt, gen, metric, simulated, published, error). Rows without a published value (points compared
only through a published range) are left out; the range ends ("range <name> low/high") are drawn.
Uses Debian's pandas and matplotlib.

    python3 analysis/plot_reproduce.py out/ablation-512.csv -o out/ablation-512.png
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from socsim_outputs import quantity_label  # noqa: E402

REQUIRED = ["experiment", "label", "metric", "simulated", "published", "error"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", help="CSV written by `socsim reproduce`")
    ap.add_argument("-o", "--out", help="PNG to write (default: the CSV path with .png)")
    args = ap.parse_args()
    try:
        df = pd.read_csv(args.csv)
    except Exception as e:  # pandas raises several types for unreadable files
        print(f"{args.csv}: error: cannot read CSV: {e}", file=sys.stderr)
        return 2
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing or df.empty:
        print(f"{args.csv}: error: not a `socsim reproduce` CSV (missing columns: {missing or 'rows'})",
              file=sys.stderr)
        return 2
    df = df[df["published"].notna()].reset_index(drop=True)
    if df.empty:
        print(f"{args.csv}: error: no row has a published value", file=sys.stderr)
        return 2
    out = args.out or args.csv.rsplit(".", 1)[0] + ".png"
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(df) + 2), 4.5))
    x = range(len(df))
    width = 0.4
    ax.bar([i - width / 2 for i in x], df["published"], width, label="published", color="#888888")
    ax.bar([i + width / 2 for i in x], df["simulated"], width, label="socsim", color="#1f77b4")
    for i, (sim, err) in enumerate(zip(df["simulated"], df["error"])):
        ax.annotate(f"{100 * err:+.0f}%", (i + width / 2, sim), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(list(x))
    ax.set_xticklabels(df["label"], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(quantity_label(df["metric"].iloc[0]))
    median = 100 * df["error"].abs().median()
    ax.set_title(f"{df['experiment'].iloc[0]}: simulated vs published (median |error| {median:.1f}%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
