#!/usr/bin/env bash
# Regenerates docs/results.md from measurements on the dev images (ImageNet, evaluation only).
# Usage: bash scripts/results.sh [IMAGES_DIR] [LIMIT]   (defaults: ../shared/assets/images/dev, 4)
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-../shared/assets/images/dev}
limit=${2:-4}
npx tsc -p .
node dist/src/cli/main.js fidelity --images "$images" --limit "$limit" --queries 500,2000,5000 --block 0.05,0.1,0.25,0.5 --save docs/fidelity.json >/dev/null
node dist/src/cli/main.js eval --images "$images" --limit "$limit" --queries 500 --save docs/eval.json >/dev/null
node dist/scripts/render-results.js docs/fidelity.json docs/eval.json > docs/results.md
