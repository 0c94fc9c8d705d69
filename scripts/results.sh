#!/usr/bin/env bash
# Regenerates docs/results.md (+ docs/fidelity.svg) from measurements on the dev images (ImageNet, evaluation
# only; never committed). One JSON per experiment goes to docs/fidelity/; render-results.ts reads them.
# Usage: bash scripts/results.sh [IMAGES_DIR] [LIMIT] [ONLY]   (defaults: ../shared/assets/images/dev, 8, all)
# ONLY=render re-renders from the saved JSON without measuring. Budget: ~1 h on 2 busy cores.
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-../shared/assets/images/dev}
limit=${2:-8}
only=${3:-all}
surrogate=${SURROGATE:-../shared/assets/models/mobilenet-v2-1.0-224-dequant-fp32.onnx}
npx tsc -p .
mkdir -p docs/fidelity
fid() { name=$1; shift; node dist/src/cli/main.js fidelity --images "$images" --limit "$limit" "$@" --save "docs/fidelity/$name.json" >/dev/null; }
if [ "$only" != render ]; then
  fid sigma-lr --gradient lr --noise iid --queries 2000 --sigma 0.01,0.05,0.5,4
  fid shapes-lr --gradient lr --queries 1000 --noise iid,channel-shared --tile 1,2
  fid blockwise --gradient blockwise --queries 1000 --block 0.25 --noise iid,channel-shared
  fid blocks --gradient blockwise --queries 1000 --block 0.1,0.5 --noise iid
  fid copies-lr --gradient lr --queries 8,40,112 --noise iid
  fid antithetic --gradient lr --queries 1000 --noise channel-shared --antithetic on
  [ -f "$surrogate" ] && fid prior --gradient lr --queries 500 --noise iid --prior "$surrogate"
  fid n5000 --gradient lr --queries 5000 --noise channel-shared --tile 1,2
  node dist/scripts/gradient-energy.js "$images" "$limit" > docs/gradient-energy.md
  fid focused --gradient focused --queries 1000,2000,5000
  fid focused-iid --gradient focused --queries 2000 --noise iid
  # eval skips images the model misclassifies (about a third of the dev images); maps are cheap next to fidelity: 8× the images.
  node dist/src/cli/main.js eval --images "$images" --limit "$((8 * limit))" --methods ig,rise --gradient backprop,lr,blockwise,focused --queries 500 --save docs/eval.json --plot docs/eval-curves.svg >/dev/null
fi
node dist/scripts/render-results.js docs/fidelity docs/eval.json docs/fidelity.svg > docs/results.md
