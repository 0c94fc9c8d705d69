#!/usr/bin/env bash
# The paper's Table 1 on four model families (bundled SqueezeNet 1.1 and the three MobileNets in
# ../shared/assets/models), at equal budgets of 500 and 2,000 queries, on the REPORT half of the dev photos
# (docs/dev-split.md): nothing here was used to choose a setting. One JSON per family × budget goes to
# docs/table1/; scripts/render-table1.ts turns them into docs/table1.md. Slow: run outside `npm test`.
# Usage: bash scripts/table1.sh [LIMIT] [BUDGETS] [FAMILIES]   (defaults: 8, "500 2000", all four)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-8}
budgets=${2:-500 2000}
families=${3:-squeezenet mobilenet-v3-small mobilenet-v2 mobilenet-v1}
images=../shared/assets/images/dev
models=../shared/assets/models
mkdir -p docs/table1
model_flags() {
  case $1 in
    squeezenet) echo "" ;;  # bundled, with its model card
    mobilenet-v1) echo "--model $models/mobilenet-v1-1.0-224-dequant-fp32.onnx --preprocess inception" ;;
    mobilenet-v2) echo "--model $models/mobilenet-v2-1.0-224-dequant-fp32.onnx --preprocess inception" ;;
    mobilenet-v3-small) echo "--model $models/mobilenet-v3-small-1.0-224-dequant-fp32.onnx --preprocess inception" ;;
  esac
}
for budget in $budgets; do
  for family in $families; do
    out=docs/table1/$family-$budget.json
    [ -f "$out" ] && { echo "have $out"; continue; }
    # exact-gradient rows do not depend on the budget: measured once, at 500.
    gradients=lr,blockwise,focused; [ "$budget" = 500 ] && gradients=backprop,$gradients
    start=$(date +%s)
    # shellcheck disable=SC2046
    node dist/src/cli/main.js eval --images "$images" --half report --limit "$limit" \
      --methods vanilla,smoothgrad,vargrad,ig,rise --gradient "$gradients" --queries "$budget" \
      $(model_flags "$family") --save "$out.tmp" >/dev/null
    mv "$out.tmp" "$out"
    echo "$family $budget: $(( $(date +%s) - start )) s (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
