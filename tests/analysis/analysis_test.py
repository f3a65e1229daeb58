#!/usr/bin/env python3
"""The analysis scripts on socsim's own outputs: a small sweep (experiments/sweeps/small.yaml), a
run's trace and a reproduction. Checks that the Pareto front equals a brute-force one, that charts
are written and unpinned axes are refused, and that `socsim report` writes one self-contained page.

    analysis_test.py SOCSIM PYTHON ROOT
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

import pandas as pd

SOCSIM, PYTHON, ROOT = sys.argv[1:4]
ANALYSIS = os.path.join(ROOT, "analysis")


def run(*args, expect=0):
    p = subprocess.run(list(args), capture_output=True, text=True)
    if p.returncode != expect:
        raise AssertionError(f"{args} exited {p.returncode}, wanted {expect}:\n{p.stderr}")
    return p


def script(name, *args, expect=0):
    return run(PYTHON, os.path.join(ANALYSIS, name), *args, expect=expect)


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 5000


class Analysis(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.sweep = os.path.join(cls.tmp.name, "sweep")
        run(SOCSIM, "sweep", os.path.join(ROOT, "experiments/sweeps/small.yaml"), "--out",
            cls.sweep, "--quiet")
        cls.trace = os.path.join(cls.tmp.name, "trace.json")
        run(SOCSIM, "run", "--policy", "mllm-npu", "--prompt", "256", "--gen", "8", "--trace",
            cls.trace)
        cls.repro = os.path.join(cls.tmp.name, "repro")
        os.mkdir(cls.repro)
        run(SOCSIM, "reproduce", os.path.join(ROOT, "experiments/mllm-npu/gemma-2b-prompts.yaml"),
            "--csv", os.path.join(cls.repro, "gemma.csv"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_chart_labels_name_quantities_with_units(self):
        sys.path.insert(0, ANALYSIS)
        from socsim_outputs import quantity_label
        self.assertEqual(quantity_label("ttft_s"), "TTFT (s)")
        self.assertEqual(quantity_label("prefill_tokens_per_s"), "prefill (tok/s)")
        self.assertEqual(quantity_label("energy_j"), "energy (J)")
        self.assertEqual(quantity_label("peak_memory_bytes"), "peak memory (GB)")
        self.assertEqual(quantity_label("decode_token_latency_s.p99"),
                         "decode token latency p99 (s)")
        self.assertEqual(quantity_label("npu_bubble_rate"), "npu bubble rate")

    def test_pareto_front_is_the_brute_force_one(self):
        objectives = ["ttft_s", "energy_j", "peak_memory_bytes"]
        script("pareto.py", self.sweep, "--objectives", ",".join(objectives))
        rows = pd.read_csv(os.path.join(self.sweep, "results.csv"))
        ok = rows[rows["status"] == "ok"]
        self.assertGreater(len(ok), 5)
        values = ok[objectives].to_numpy()
        want = set()
        for i, a in enumerate(values):
            beaten = any((b <= a).all() and (b < a).any() for b in values)
            if not beaten:
                want.add(int(ok["point"].iloc[i]))
        front = pd.read_csv(os.path.join(self.sweep, "pareto.csv"))
        self.assertEqual(set(front["point"]), want)
        self.assertLess(len(want), len(ok))
        self.assertTrue(is_png(os.path.join(self.sweep, "pareto.png")))
        # Maximising a throughput flips its sense.
        script("pareto.py", self.sweep, "--objectives", "prefill_tokens_per_s:max,energy_j",
               "--csv", os.path.join(self.tmp.name, "max.csv"), "-o",
               os.path.join(self.tmp.name, "max.png"))
        best = ok["prefill_tokens_per_s"].max()
        front = pd.read_csv(os.path.join(self.tmp.name, "max.csv"))
        self.assertIn(best, set(front["prefill_tokens_per_s"]))
        p = script("pareto.py", self.sweep, "--objectives", "ttft_s,no_such_metric", expect=2)
        self.assertIn("no metric 'no_such_metric'", p.stderr)

    def test_line_and_heat_maps_pin_the_axes_they_do_not_draw(self):
        out = os.path.join(self.tmp.name, "heat.png")
        p = script("plot_sweep.py", "heat", self.sweep, "--x", "hw", "--y", "policy.chunk_size",
                   "--metric", "ttft_s", "-o", out, expect=2)
        self.assertIn("vary but are not drawn", p.stderr)
        pins = ["--where", "hw.npu.clock=600MHz", "--where", "policy=mllm-npu"]
        script("plot_sweep.py", "heat", self.sweep, "--x", "hw", "--y", "policy.chunk_size",
               "--metric", "ttft_s", "-o", out, *pins)
        self.assertTrue(is_png(out))
        line = os.path.join(self.tmp.name, "line.png")
        script("plot_sweep.py", "line", self.sweep, "--x", "policy.chunk_size", "--y",
               "prefill_tokens_per_s", "--hue", "hw", "-o", line, *pins)
        self.assertTrue(is_png(line))
        p = script("plot_sweep.py", "line", self.sweep, "--x", "no.axis", "--y", "ttft_s",
                   expect=2)
        self.assertIn("no axis 'no.axis'", p.stderr)

    def test_gantt_of_a_trace(self):
        out = os.path.join(self.tmp.name, "gantt.png")
        script("gantt.py", self.trace, "-o", out)
        self.assertTrue(is_png(out))
        script("gantt.py", self.trace, "-o", out, "--start", "0.1", "--end", "0.2")
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            f.write('{"traceEvents": []}')
        p = script("gantt.py", bad, expect=2)
        self.assertIn("no op", p.stderr)

    def test_report_is_one_self_contained_page(self):
        page = os.path.join(self.tmp.name, "sweep.html")
        run(SOCSIM, "report", self.sweep, "-o", page, "--trace", self.trace)
        with open(page) as f:
            text = f.read()
        self.assertNotRegex(text, r"""(src|href)\s*=\s*["']?(https?:|//|file:)""")
        self.assertNotIn("<script", text)
        self.assertNotIn("<link", text)
        self.assertGreaterEqual(text.count("<svg"), 4)  # front, axis effects, heat map, Gantt
        self.assertIn("Sweep small", text)
        self.assertIn("Pareto front", text)
        self.assertIn("Pareto fronts per workload", text)  # workload.memory varies
        self.assertRegex(text, r"<b>14</b>points")
        self.assertRegex(text, r"<b>1</b>infeasible")
        repro = os.path.join(self.tmp.name, "repro.html")
        run(SOCSIM, "report", self.repro, "-o", repro)
        with open(repro) as f:
            text = f.read()
        rows = pd.read_csv(os.path.join(self.repro, "gemma.csv"))
        median = 100 * rows["error"].abs().median()
        self.assertIn(f"{median:.1f}%", text)
        self.assertGreaterEqual(text.count("<svg"), 1)
        # A trace alone; its 2,000+ bars go in as one image, not as 400 KB of SVG rectangles.
        empty = os.path.join(self.tmp.name, "empty")
        os.mkdir(empty)
        gantt_page = os.path.join(self.tmp.name, "gantt.html")
        run(SOCSIM, "report", empty, "--trace", self.trace, "-o", gantt_page)
        with open(gantt_page) as f:
            text = f.read()
        self.assertIn("Timeline", text)
        self.assertTrue("<image" in text, "the Gantt bars are not one embedded image")
        self.assertLess(len(text), 150_000)
        p = run(SOCSIM, "report", os.path.join(self.tmp.name, "nowhere"), expect=2)
        self.assertIn("not a directory", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[4:], verbosity=1)
