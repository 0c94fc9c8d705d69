#!/usr/bin/env bash
# The paper's Table 1 on four model families (bundled SqueezeNet 1.1 and the three MobileNets in
# ../shared/assets/models), at equal budgets of 500 and 2,000 queries, on the REPORT half of the dev photos
# (docs/dev-split.md): nothing here was used to choose a setting. JSON goes to docs/table1/;
# `node dist/scripts/render-table1.js docs/table1 > docs/table1.md` renders it. Slow: run outside `npm test`.
#
# Usage: bash scripts/table1.sh grid|now [BUDGETS] [FAMILIES]
#   grid  every method × gradient source (+ RISE, exact gradient, model-free rows) on the first 8 report photos
#         (MobileNet v1/v2, 3 ms a query: the first 6) → <family>-<budget>.json. About 1.5 h on 2 busy cores.
#   now   today's defaults only (IG × blockwise and exact, RISE, model-free rows) on the first 16 report photos
#         at 500 queries, the first 10 at 2,000 → <family>-<budget>-now.json, the headline. About 45 min.
# The committed grid was run in two passes (IG and RISE first; vanilla, SmoothGrad and VarGrad at 2,000 later,
# saved as <family>-2000-more.json); the renderer merges them: same code, photos and seed as one pass.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?grid or now}
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
git rev-parse --short HEAD > "docs/table1/COMMIT$([ "$mode" = now ] && echo -now)"
for budget in $budgets; do
  for family in $families; do
    if [ "$mode" = now ]; then
      out=docs/table1/$family-$budget-now.json limit=16 methods=ig,rise gradients=backprop,blockwise
      [ "$budget" = 2000 ] && limit=10
    else
      out=docs/table1/$family-$budget.json limit=8 methods=vanilla,smoothgrad,vargrad,ig,rise
      case $family in mobilenet-v1 | mobilenet-v2) limit=6 ;; esac
      # exact-gradient rows do not depend on the budget: measured once, at 500.
      gradients=lr,blockwise,focused; [ "$budget" = 500 ] && gradients=backprop,$gradients
    fi
    [ -f "$out" ] && { echo "have $out"; continue; }
    start=$(date +%s)
    # shellcheck disable=SC2046
    node dist/src/cli/main.js eval --images "$images" --half report --limit "$limit" \
      --methods "$methods" --gradient "$gradients" --queries "$budget" \
      $(model_flags "$family") --save "$out.tmp" >/dev/null
    mv "$out.tmp" "$out"
    echo "$family $budget: $(( $(date +%s) - start )) s (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
