#!/usr/bin/env python3
"""Prefill chunk size against TTFT and energy for three policies, through the Python module.

    PYTHONPATH=build/python python3 analysis/chunk_size_tradeoff.py [--out out/chunk-tradeoff.png]

mllm-npu sweeps policy.chunk_size, the naive NPU offload (npu) and llama.cpp on the CPU
(llamacpp) sweep policy.chunk; each point is one socsim.run. Writes the chart and a CSV beside it.
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import socsim  # noqa: E402

CHUNK_KEY = {"mllm-npu": "policy.chunk_size", "npu": "policy.chunk", "llamacpp": "policy.chunk"}


def sweep(hw, model, prompt, chunks):
    rows = []
    for policy, key in CHUNK_KEY.items():
        for chunk in chunks:
            try:
                r = socsim.run(hw=hw, model=model, policy=policy, prompt=prompt, gen=1,
                               set={key: chunk})
            except socsim.SocsimError as e:
                print(f"{policy} chunk {chunk}: {e}")
                continue
            rows.append({"policy": policy, "chunk": chunk, "ttft_s": r["ttft_s"],
                         "prefill_energy_j": r["prefill_energy_j"]})
    return pd.DataFrame(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hw", default="redmi-k70-pro")
    ap.add_argument("--model", default="qwen1.5-1.8b")
    ap.add_argument("--prompt", type=int, default=1024)
    ap.add_argument("--chunks", default="64,128,256,512,1024")
    ap.add_argument("--out", default="out/chunk-tradeoff.png")
    a = ap.parse_args()
    df = sweep(a.hw, a.model, a.prompt, [int(c) for c in a.chunks.split(",")])
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    df.to_csv(os.path.splitext(a.out)[0] + ".csv", index=False)
    fig, ax = plt.subplots(figsize=(6, 4))
    for policy, g in df.groupby("policy"):
        ax.plot(g["ttft_s"], g["prefill_energy_j"], marker="o", label=policy)
        for _, row in g.iterrows():
            ax.annotate(str(row["chunk"]), (row["ttft_s"], row["prefill_energy_j"]), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("TTFT (s)")
    ax.set_ylabel("prefill energy (J)")
    ax.set_title(f"{a.model} on {a.hw}, {a.prompt}-token prompt (labels: chunk tokens)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)
    print(f"wrote {a.out} ({len(df)} points)")


if __name__ == "__main__":
    main()
