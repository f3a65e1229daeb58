"""The Python module (`import socsim`): runs agree with the CLI, do not depend on the runs before
them, bad input raises with located messages and leaves the interpreter alive, sweeps come back
as DataFrames. Run by CTest with PYTHONPATH=<build>/python and SOCSIM_BINARY set."""

import json
import os
import subprocess

import pytest

import socsim

BINARY = os.environ["SOCSIM_BINARY"]
SOURCE = os.environ["SOCSIM_SOURCE_DIR"]


def cli_json(*args):
    out = subprocess.run([BINARY, "run", "--json", "-", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def without_wall(result):
    return {k: v for k, v in result.items() if k != "sim_wall_s"}


def test_run_gives_the_cli_result():
    r = socsim.run(hw="redmi-k70-pro", model="qwen1.5-1.8b", policy="cpu", prompt=64, gen=8)
    c = cli_json("--hw", "redmi-k70-pro", "--model", "qwen1.5-1.8b", "--policy", "cpu",
                 "--prompt", "64", "--gen", "8")
    assert r["ttft_s"] > 0
    assert without_wall(r) == without_wall(c)


def test_sets_and_memory_reach_the_run():
    base = socsim.run(policy="mllm-npu", prompt=256, gen=1)
    slow = socsim.run(policy="mllm-npu", prompt=256, gen=1, set={"hw.npu.clock": "500MHz"})
    assert slow["ttft_s"] > base["ttft_s"]
    c = cli_json("--policy", "mllm-npu", "--prompt", "256", "--gen", "1", "--set",
                 "hw.npu.clock=500MHz")
    assert without_wall(slow) == without_wall(c)
    budget = socsim.run(policy="llamacpp", model="llama-2-7b", hw="oneplus-12", prompt=16, gen=3,
                        memory="3GB")
    assert budget["memory_budget_bytes"] == 3e9
    assert budget["decode_tokens_per_s"] > 0


def test_a_run_does_not_depend_on_the_runs_before_it():
    first = without_wall(socsim.run(policy="npu", prompt=128, gen=4))
    for policy in ("cpu", "mllm-npu", "gpu"):
        socsim.run(policy=policy, prompt=512, gen=2)
    assert without_wall(socsim.run(policy="npu", prompt=128, gen=4)) == first


def test_bad_input_raises_with_the_located_message_and_the_interpreter_lives():
    with pytest.raises(socsim.InputError) as e:
        socsim.run(set={"hw.npu.clok": "600MHz"})
    assert "clok" in str(e.value)
    assert "did you mean" in str(e.value)
    with pytest.raises(socsim.InputError) as e:
        socsim.run(hw="redmi-k70")
    assert "redmi-k70-pro" in str(e.value)
    assert socsim.run(prompt=16, gen=1)["ttft_s"] > 0


def test_an_infeasible_run_raises():
    with pytest.raises(socsim.InfeasibleError):
        socsim.run(hw="redmi-k60-pro", policy="mllm-npu", memory="1GB", prompt=64, gen=1)


def test_list_and_describe():
    shipped = socsim.list()
    assert "redmi-k70-pro" in shipped["hardware"]
    assert "qwen1.5-1.8b" in shipped["models"]
    assert "llamacpp" in shipped["engines"]
    assert "mllm-npu" in shipped["policies"]
    assert "chunk_size" in socsim.describe("policy.mllm-npu")
    assert "assumption" in socsim.describe("oneplus-12", provenance=True)
    with pytest.raises(socsim.InputError):
        socsim.describe("no-such-thing")


def test_sweep_returns_a_dataframe_like_the_cli(tmp_path):
    df = socsim.sweep(os.path.join(SOURCE, "experiments/sweeps/small.yaml"),
                      str(tmp_path / "py"), jobs=2)
    assert len(df) == 14
    assert (df["status"] == "ok").sum() == 13
    subprocess.run([BINARY, "sweep", os.path.join(SOURCE, "experiments/sweeps/small.yaml"),
                    "--out", str(tmp_path / "cli"), "-j", "1", "-q"], check=True)
    def results(folder):
        return [without_wall(json.loads(l)["result"] or {}) for l in open(folder / "results.jsonl")]

    py, cl = results(tmp_path / "py"), results(tmp_path / "cli")
    assert py == cl
    assert len(socsim.load_results(str(tmp_path / "cli"))) == 14
    with pytest.raises(socsim.SocsimError):
        socsim.load_results(str(tmp_path / "nothing"))


def test_sessions_and_the_thermal_model_run_as_on_the_cli():
    r = socsim.run(hw="oneplus-12", policy="llamacpp", session="persona-chat",
                   set={"session.scheduler": "sarathi"}, backend="analytic")
    c = cli_json("--hw", "oneplus-12", "--policy", "llamacpp", "--session", "persona-chat",
                 "--set", "session.scheduler=sarathi", "--backend", "analytic")
    assert r["scheduler"] == "sarathi" and len(r["by_request"]) == 7
    assert r == c
    t = socsim.run(hw="oneplus-12", policy="llamacpp", prompt=64, gen=8,
                   set={"hw.thermal.enabled": True}, backend="analytic")
    assert t["thermal"]["throttled_s"] == 0 and t["thermal"]["peak_skin_c"] > 25
