#!/usr/bin/env bash
# analysis/plot_reproduce.py on socsim's own output: a reproduction CSV becomes a PNG chart, and a
# file that is not such a CSV is refused with exit code 2.
set -euo pipefail
socsim=$1 python=$2 root=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$socsim" reproduce "$root/experiments/mllm-npu/gemma-2b-prompts.yaml" --csv "$tmp/r.csv" > /dev/null
"$python" "$root/analysis/plot_reproduce.py" "$tmp/r.csv" -o "$tmp/r.png" > /dev/null
size=$(stat -c %s "$tmp/r.png")
[ "$size" -gt 10000 ] || { echo "chart too small: $size bytes"; exit 1; }
head -c 8 "$tmp/r.png" | grep -q PNG || { echo "not a PNG"; exit 1; }
# An experiment of published ranges: members without a published value are left out, ends drawn.
"$socsim" reproduce "$root/experiments/mllm-npu/speedup-1024.yaml" --csv "$tmp/s.csv" > /dev/null
grep -q '"range llamacpp low"' "$tmp/s.csv" || { echo "no range row in the CSV"; exit 1; }
"$python" "$root/analysis/plot_reproduce.py" "$tmp/s.csv" -o "$tmp/s.png" > /dev/null
head -c 8 "$tmp/s.png" | grep -q PNG || { echo "ranges: not a PNG"; exit 1; }
echo "a,b" > "$tmp/bad.csv"
if "$python" "$root/analysis/plot_reproduce.py" "$tmp/bad.csv" -o "$tmp/bad.png" 2> "$tmp/err"; then
  echo "a malformed CSV was accepted"; exit 1
fi
grep -q "not a \`socsim reproduce\` CSV" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo "1 passed, 0 failed"
