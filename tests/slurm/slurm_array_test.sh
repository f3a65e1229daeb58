#!/usr/bin/env bash
# The sweep's Slurm job array (experiments/sweeps/slurm-array.sh) on a real single-node Slurm: this
# test starts munged, slurmctld and slurmd on localhost from a throw-away configuration, submits
# the array over experiments/sweeps/small.yaml and a merge job that depends on it, waits, and
# compares the merged results byte for byte with an unsharded run of the same sweep.
# Exit 77 (CTest: skipped) with the reason when Slurm or munge is not installed, the test is not
# root, or a daemon does not come up.
#   usage: slurm_array_test.sh SOCSIM_BINARY SOURCE_DIR
set -uo pipefail
socsim=${1:?usage: $0 SOCSIM_BINARY SOURCE_DIR}
src=${2:?usage: $0 SOCSIM_BINARY SOURCE_DIR}
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; for f in "$tmp"/log/*; do echo "== $f"; tail -20 "$f"; done; exit 1; }

for b in slurmctld slurmd sbatch squeue sinfo munged; do
  command -v "$b" >/dev/null || PATH=$PATH:/usr/sbin:/sbin
  command -v "$b" >/dev/null || skip "$b is not installed (apt-get install slurmctld slurmd slurm-client munge)"
done
[ "$(id -u)" -eq 0 ] || skip "the daemons run as root here; run the test as root"

tmp=$(mktemp -d /tmp/socsim-slurm.XXXXXX)
chmod 755 "$tmp"
mkdir -p "$tmp"/{state,spool,log,munge,out}
host=$(hostname -s)
cpus=$(nproc)
# Ports away from a system Slurm's defaults (6817/6818), chosen per process to let runs coexist.
ctld_port=$((20000 + $$ % 20000))
slurmd_port=$((ctld_port + 1))
pids=()
cleanup() {
  SLURM_CONF=$tmp/slurm.conf scancel --quiet --user=root 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# munge: a fresh key and a private socket.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
chmod 700 "$tmp/munge"
munged --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" \
  --seed-file="$tmp/munge/munge.seed" || skip "munged did not start ($(tail -1 "$tmp/log/munged.log" 2>/dev/null))"
pids+=("$(cat "$tmp/munge/munged.pid")")

cat >"$tmp/slurm.conf" <<EOF
ClusterName=socsimtest
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool/slurmd-%n
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf

slurmctld -c -i -D >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null)
  case "$state" in idle*|mix*|alloc*) up=1; break ;; esac
  sleep 1
done
[ "$up" -eq 1 ] || skip "the Slurm node did not come up in 60 s (state '${state:-none}'; slurmctld: $(tail -1 "$tmp/log/slurmctld.log" 2>/dev/null); slurmd: $(tail -1 "$tmp/log/slurmd.log" 2>/dev/null))"
echo "slurm: node $host up ($cpus CPUs)"

# The README's recipe: an array of 3 shards, then a merge that waits for all of them.
out=$tmp/out
export SOCSIM=$socsim
jid=$(sbatch --parsable --chdir="$src" --output="$tmp/log/task-%a.out" --cpus-per-task=1 \
  --array=1-3 experiments/sweeps/slurm-array.sh experiments/sweeps/small.yaml "$out") ||
  fail "sbatch of the array was refused"
mid=$(sbatch --parsable --chdir="$src" --output="$tmp/log/merge.out" \
  --dependency=afterok:"$jid" --wrap "$socsim merge $out/all $out/shard-*") ||
  fail "sbatch of the merge was refused"
echo "slurm: array job $jid, merge job $mid"
for _ in $(seq 1 300); do
  [ -z "$(squeue -h -j "$jid,$mid" 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h -j "$jid,$mid" 2>/dev/null)" ] || fail "the jobs did not finish in 300 s"
[ -f "$out/all/results.jsonl" ] || fail "the merge job wrote no $out/all/results.jsonl"
ls -d "$out"/shard-*-of-3 | wc -l | grep -qx 3 || fail "not every shard ran"

"$socsim" sweep "$src/experiments/sweeps/small.yaml" --out "$tmp/single" -j 2 -q ||
  fail "the unsharded sweep failed"
status=0
for name in results.jsonl results.csv sweep.json definition.txt; do
  f=$tmp/single/$name
  if cmp -s "$f" "$out/all/$name"; then
    echo "slurm: $name identical ($(wc -l <"$f") lines)"
  else
    echo "slurm: $name differs between the Slurm run and the unsharded run"
    status=1
  fi
done
[ "$status" -eq 0 ] || fail "merged Slurm results differ from the unsharded run"
echo "slurm: PASSED"
