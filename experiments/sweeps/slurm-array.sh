#!/bin/bash
# Runs a socsim sweep as a Slurm job array: task I of N runs shard I/N (the points whose index
# modulo N is I-1) into OUT/shard-I-of-N. A task that is preempted, times out or fails can be
# resubmitted as is: its shard resumes where it stopped. Then merge the shards into OUT/all,
# byte-identical to an unsharded run:
#
#   jid=$(sbatch --parsable --array=1-16 experiments/sweeps/slurm-array.sh \
#         experiments/sweeps/qwen-mllm-npu-prefill.yaml out/qwen)
#   sbatch --dependency=afterok:$jid --wrap "build/socsim merge out/qwen/all out/qwen/shard-*"
#
# Task ids must run from 1 to N. SOCSIM overrides the binary (default build/socsim).
#SBATCH --job-name=socsim-sweep
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
usage="usage: sbatch --array=1-N $0 SWEEP.yaml OUT_DIR"
sweep=${1:?$usage}
out=${2:?$usage}
socsim=${SOCSIM:-build/socsim}
n=${SLURM_ARRAY_TASK_COUNT:-${SLURM_ARRAY_TASK_MAX:?$usage}}
i=${SLURM_ARRAY_TASK_ID:?$usage}
exec "$socsim" sweep "$sweep" --out "$out/shard-$i-of-$n" --shard "$i/$n" \
  -j "${SLURM_CPUS_PER_TASK:-1}"
