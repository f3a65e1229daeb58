#!/usr/bin/env python3
"""One self-contained HTML page (inline SVG charts and CSS, nothing fetched) for a socsim output
directory: a sweep (results.csv: counts by status, axes, Pareto front, the effect of each axis,
a heat map over two axes, failed points) and/or reproductions (`socsim reproduce` CSVs: simulated
vs published with errors), and a Gantt chart of any trace given with --trace.

    python3 analysis/report.py DIR [-o DIR/report.html] [--trace trace.json]
        [--objectives ttft_s,energy_j,peak_memory_bytes]
"""
import argparse
import glob
import html
import io
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import gantt  # noqa: E402
import pareto  # noqa: E402
from socsim_outputs import (OutputError, Sweep, axis_order, is_reproduction,  # noqa: E402
                            quantity_label, read_reproduction, read_trace)

KEY_METRICS = ["ttft_s", "prefill_tokens_per_s", "decode_tokens_per_s", "energy_j",
               "prefill_j_per_token", "decode_j_per_token", "peak_memory_bytes"]
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #1f77b4;padding-bottom:.2em}
h2{font-size:1.25em;margin-top:1.8em;color:#1f4e79}h3{font-size:1.05em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#eef3f8}td.t,th.t{text-align:left;white-space:nowrap}
.good{background:#e3f4e1}.fair{background:#fdf3d8}.bad{background:#f9dddd}
.kpi{display:inline-block;margin:0 1.5em .5em 0}.kpi b{font-size:1.4em;display:block}
figure{margin:1em 0}figcaption{font-size:.85em;color:#555}
.note{color:#555;font-size:.9em}
svg{max-width:100%;height:auto}.wide{overflow-x:auto}
"""


def svg(fig):
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prologue: inline in HTML


def fmt(v):
    if isinstance(v, float):
        if v != v:
            return ""
        return f"{v:.4g}"
    return html.escape(str(v))


def percent(v):
    return "" if v != v else f"{100 * v:+.1f}%"


def table(df, text_cols=(), classes=None, formats=None):
    head = "".join(f'<th class="{"t" if c in text_cols else ""}">{html.escape(str(c))}</th>'
                   for c in df.columns)
    rows = []
    for i, (_, r) in enumerate(df.iterrows()):
        cells = []
        for c in df.columns:
            cls = "t" if c in text_cols else ""
            if classes and c in classes:
                cls += " " + classes[c](r[c])
            text = formats[c](r[c]) if formats and c in formats else fmt(r[c])
            cells.append(f'<td class="{cls.strip()}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<div class='wide'><table><tr>{head}</tr>{''.join(rows)}</table></div>"


def error_class(e):
    if e != e:
        return ""
    e = abs(e)
    return "good" if e <= 0.15 else "fair" if e <= 0.5 else "bad"


def figure(body, caption):
    return f"<figure>{body}<figcaption>{html.escape(caption)}</figcaption></figure>"


def axis_effect(sweep, axis, metrics):
    """Median (line) and range (band) of each metric over the other axes, per value of axis."""
    ok = sweep.ok()
    order = axis_order(ok[axis])
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 3), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        g = ok.groupby(ok[axis].astype(str))[m]
        stats = pd.DataFrame({"med": g.median(), "lo": g.min(), "hi": g.max()}).reindex(
            [str(v) for v in order])
        x = range(len(order))
        ax.fill_between(x, stats["lo"], stats["hi"], color="#1f77b4", alpha=0.2)
        ax.plot(x, stats["med"], marker="o", markersize=3, color="#1f77b4")
        ax.set_xticks(list(x))
        ax.set_xticklabels([str(v) for v in order], rotation=45 if len(order) > 6 else 0,
                           ha="right" if len(order) > 6 else "center", fontsize=7)
        ax.set_title(quantity_label(m), fontsize=9)
        ax.set_xlabel(axis, fontsize=8)
    fig.tight_layout()
    return svg(fig)


def workload_fronts(sweep, objectives, most=6):
    """One front per workload when workload axes vary: across prompt lengths the shortest prompt
    wins every total, so a design is compared with others on the same work."""
    axes = [a for a in sweep.varying_axes() if a.startswith("workload.")]
    if not axes:
        return ""
    ok = sweep.ok()
    keys = [ok[a] for a in axes] if len(axes) > 1 else ok[axes[0]]
    groups = list(ok.groupby(keys, sort=False))
    groups.sort(key=lambda g: [axis_order(ok[a]).index(v) for a, v in
                               zip(axes, g[0] if isinstance(g[0], tuple) else (g[0],))])
    shown = groups[:most]
    fig, grid = plt.subplots((len(shown) + 2) // 3, min(3, len(shown)),
                             figsize=(4.2 * min(3, len(shown)), 3.4 * ((len(shown) + 2) // 3)),
                             squeeze=False)
    rows = []
    for ax, (key, part) in zip(grid.flat, shown):
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{a}={v}" for a, v in zip(axes, key))
        front = pareto.pareto(sweep, objectives, rows=part)
        pareto.plot(sweep, objectives[:2], front, ax, rows=part, title=label)
        best = front.iloc[0]
        rows.append({"workload": label, "points": len(part), "on the front": len(front),
                     **{f"best {objectives[0][0]}": best[objectives[0][0]]},
                     **{a: best[a] for a in sweep.varying_axes() if a not in axes}})
    for ax in list(grid.flat)[len(shown):]:
        ax.axis("off")
    fig.tight_layout()
    note = (f" (the first {most} of {len(groups)} workloads)" if len(groups) > most else "")
    return ("<h3>Pareto fronts per workload</h3>" + figure(
        svg(fig), f"Fronts over {', '.join(n for n, _ in objectives)} among the points of each "
        f"workload{note}, drawn over the first two.") + table(pd.DataFrame(rows), text_cols=["workload"] + [
            a for a in sweep.varying_axes() if a not in axes]))


def heat_map(sweep, x, y, metric):
    ok = sweep.ok()
    grid = ok.pivot_table(index=ok[y].astype(str), columns=ok[x].astype(str), values=metric,
                          aggfunc="median")
    grid = grid.reindex(index=[str(v) for v in axis_order(ok[y])],
                        columns=[str(v) for v in axis_order(ok[x])])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", origin="lower", cmap="viridis")
    plt.colorbar(im, ax=ax, label=quantity_label(metric))
    ax.set_xticks(range(grid.shape[1]))
    ax.set_xticklabels(grid.columns, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(grid.shape[0]))
    ax.set_yticklabels(grid.index, fontsize=7)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.tight_layout()
    return svg(fig)


def sweep_section(sweep, objectives_text):
    out = [f"<h2>Sweep {html.escape(sweep.name)}</h2>"]
    counts = sweep.rows["status"].value_counts()
    out.append("".join(f'<div class="kpi"><b>{n}</b>{html.escape(s)}</div>'
                       for s, n in [("points", len(sweep.rows))] + list(counts.items())))
    axes = pd.DataFrame({"axis": sweep.axes,
                         "values": [sweep.rows[a].nunique() for a in sweep.axes],
                         "examples": [", ".join(map(str, axis_order(sweep.rows[a])[:8]))
                                      for a in sweep.axes]})
    out.append("<h3>Axes</h3>" + table(axes, text_cols=("axis", "examples")))
    ok = sweep.ok()
    if ok.empty:
        out.append('<p class="note">No point ran to the end.</p>')
    else:
        metrics = [m for m in KEY_METRICS if m in sweep.metrics and ok[m].notna().any()]
        summary = pd.DataFrame({"metric": metrics, "min": [ok[m].min() for m in metrics],
                                "median": [ok[m].median() for m in metrics],
                                "max": [ok[m].max() for m in metrics]})
        out.append("<h3>Metrics over the ok points</h3>" + table(summary, text_cols=("metric",)))
        try:
            objectives = pareto.parse_objectives(objectives_text, sweep)
            front = pareto.pareto(sweep, objectives)
            fig, ax = plt.subplots(figsize=(7, 4.8))
            pareto.plot(sweep, objectives, front, ax)
            fig.tight_layout()
            names = [n for n, _ in objectives]
            out.append("<h3>Pareto front</h3>" + figure(
                svg(fig), f"{len(front)} of {len(ok)} points are not beaten on every one of "
                f"{', '.join(names)} by another point."))
            out.append(workload_fronts(sweep, objectives))
            shown = front[sweep.varying_axes() + names].head(20)
            if len(front) > len(shown):
                out.append(f'<p class="note">The first {len(shown)} of {len(front)} points '
                           f'on the front, by {names[0]} (all of them: analysis/pareto.py).</p>')
            out.append(table(shown, text_cols=sweep.varying_axes()))
        except OutputError as e:
            out.append(f'<p class="note">No Pareto front: {html.escape(str(e))}</p>')
        varying = sweep.varying_axes()
        plotted = [m for m in ("ttft_s", "decode_tokens_per_s", "energy_j", "peak_memory_bytes")
                   if m in metrics and ok[m].nunique() > 1][:4]
        if plotted:
            out.append("<h3>Effect of each axis</h3>")
            for a in varying[:6]:
                out.append(figure(axis_effect(sweep, a, plotted),
                                  f"Median (line) and range (band) over the other axes, by {a}."))
        if len(varying) >= 2 and plotted:
            x, y = varying[0], varying[1]
            out.append("<h3>Heat map</h3>" + figure(
                heat_map(sweep, x, y, plotted[0]),
                f"{plotted[0]} by {x} and {y}" +
                (" (median over the other axes)." if len(varying) > 2 else ".")))
    failed = sweep.rows[sweep.rows["status"] != "ok"]
    if not failed.empty:
        cols = ["point"] + sweep.varying_axes() + ["status"] + [
            c for c in ("message", "error") if c in failed.columns]
        out.append(f"<h3>Points that did not run ({len(failed)})</h3>" +
                   table(failed[cols].head(30), text_cols=cols))
    return "\n".join(out)


def reproduction_section(paths):
    out = ["<h2>Reproductions</h2>"]
    errors, overview = [], []
    for path in paths:
        df = read_reproduction(path)
        name = df["experiment"].iloc[0]
        pub = df[df["published"].notna()]
        errors.extend(pub["error"].abs().tolist())
        med = 100 * pub["error"].abs().median() if not pub.empty else float("nan")
        overview.append({"experiment": name, "rows": len(df), "published values": len(pub),
                         "median |error|": med / 100})
        out.append(f"<h3>{html.escape(str(name))} <span class='note'>median |error| "
                   f"{med:.1f}% over {len(pub)} values</span></h3>")
        if not pub.empty:
            fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(pub) + 2), 3.6))
            x = range(len(pub))
            ax.bar([i - 0.2 for i in x], pub["published"], 0.4, label="published",
                   color="#888888")
            ax.bar([i + 0.2 for i in x], pub["simulated"], 0.4, label="socsim", color="#1f77b4")
            ax.set_xticks(list(x))
            ax.set_xticklabels(pub["label"], rotation=40, ha="right", fontsize=7)
            ax.set_ylabel(quantity_label(pub["metric"].iloc[0]), fontsize=8)
            ax.legend(fontsize=7)
            fig.tight_layout()
            out.append(figure(svg(fig), f"Simulated vs published, {os.path.basename(path)}."))
        cols = [c for c in ("label", "policy", "metric", "simulated", "published", "error")
                if c in df.columns]
        out.append(table(df[cols], text_cols=("label", "policy", "metric"),
                         classes={"error": error_class}, formats={"error": percent}))
    if errors:
        overall = 100 * pd.Series(errors).median()
        summary = table(pd.DataFrame(overview), text_cols=("experiment",),
                        classes={"median |error|": error_class},
                        formats={"median |error|": lambda v: percent(v).lstrip("+")})
        out.insert(1, f'<div class="kpi"><b>{overall:.1f}%</b>median |error| over '
                      f'{len(errors)} published values</div>' + summary)
    return "\n".join(out)


def trace_section(path):
    events = read_trace(path)
    fig, ax = plt.subplots(figsize=(10, 0.3 * events["tid"].nunique() + 1.5))
    gantt.draw(events, ax, title=os.path.basename(path))
    fig.tight_layout()
    return "<h2>Timeline</h2>" + figure(svg(fig), f"Ops per unit track of {path}.")


def build(directory, traces, objectives):
    sections = []
    if os.path.exists(os.path.join(directory, "results.csv")):
        sections.append(sweep_section(Sweep(directory), objectives))
    repro = sorted(p for p in glob.glob(os.path.join(directory, "*.csv")) if is_reproduction(p))
    if repro:
        sections.append(reproduction_section(repro))
    for t in traces:
        sections.append(trace_section(t))
    if not sections:
        raise OutputError(f"{directory}: error: neither a sweep (results.csv) nor reproduction "
                          "CSVs, and no --trace")
    title = f"socsim report: {os.path.basename(os.path.normpath(directory))}"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>" + "\n".join(sections) + "</body></html>\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("-o", "--out", help="HTML file (default DIR/report.html)")
    ap.add_argument("--trace", action="append", default=[], help="trace JSON to draw")
    ap.add_argument("--objectives", default=pareto.DEFAULT_OBJECTIVES)
    args = ap.parse_args()
    try:
        page = build(args.dir, args.trace, args.objectives)
    except OutputError as e:
        print(e, file=sys.stderr)
        return 2
    out = args.out or os.path.join(args.dir, "report.html")
    with open(out, "w") as f:
        f.write(page)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
