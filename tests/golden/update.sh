#!/usr/bin/env bash
# Regenerates the golden design points tests/golden/<name>.json from the current socsim binary:
# each file holds the `socsim run` arguments, the expected exit code and either the expected result
# JSON (every key but sim_wall_s, the only non-deterministic one) or, for a failing run, the
# expected stderr. golden_test re-runs every file here and compares with 1e-9 relative tolerance.
# Run this after an intended model change and commit the diff of the .json files with it.
#
#   tests/golden/update.sh [path/to/socsim]      (default: $SOCSIM, else build/socsim)
# To add a design point, add a line to POINTS below and run the script.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
socsim=${1:-${SOCSIM:-$here/../../build/socsim}}
[[ -x $socsim ]] || { echo "update.sh: no socsim executable at '$socsim'" >&2; exit 1; }

# name | arguments of `socsim run` (without --json)
POINTS=(
  "qwen1.5-1.8b_redmi-k70-pro_cpu|--model qwen1.5-1.8b --hw redmi-k70-pro --policy cpu --prompt 256 --gen 16"
  "gemma-2b_redmi-k70-pro_npu|--model gemma-2b --hw redmi-k70-pro --policy npu --prompt 512 --gen 4"
  "llama-2-7b_oneplus-12_cpu|--model llama-2-7b --hw oneplus-12 --policy cpu --prompt 128 --gen 8"
  "phi-2_redmi-k60-pro_gpu|--model phi-2 --hw redmi-k60-pro --policy gpu --prompt 256 --gen 8"
  "mistral-7b_oneplus-ace2_cpu|--model mistral-7b --hw oneplus-ace2 --policy cpu --prompt 64 --gen 4"
  "turbosparse-mixtral-47b_oneplus-12_cpu_24GB|--model turbosparse-mixtral-47b --hw oneplus-12 --policy cpu --prompt 128 --gen 8 --memory 24GB"
)

# Writes one golden file: $1 path, $2 exit code, $3 stdout file, $4 stderr file, then the args.
write_golden() {
  python3 - "$@" <<'PY'
import json, re, sys
path, rc, out, err, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
golden = {"args": args, "exit_code": rc}
if rc == 0:
    r = json.load(open(out))
    r.pop("sim_wall_s", None)
    golden["expected"] = r
    print(f"  TTFT {r['ttft_s']:.4g} s, prefill {r['prefill_tokens_per_s']:.4g} tokens/s, "
          f"decode {r['decode_tokens_per_s']:.4g} tokens/s, energy {r['energy_j']:.4g} J")
else:
    golden["stderr"] = open(err).read()
    print("  " + golden["stderr"].strip())
text = json.dumps(golden, indent=2)
text = re.sub(r'"args": \[[^\]]*\]', lambda m: '"args": ' + json.dumps(args), text, count=1)
with open(path, "w") as f:
    f.write(text + "\n")
PY
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$here"/*.json
for point in "${POINTS[@]}"; do
  name=${point%%|*}
  read -r -a args <<<"${point#*|}"
  rc=0
  "$socsim" run "${args[@]}" --json - >"$tmp/out" 2>"$tmp/err" || rc=$?
  echo "$name: exit $rc"
  write_golden "$here/$name.json" "$rc" "$tmp/out" "$tmp/err" "${args[@]}"
done
