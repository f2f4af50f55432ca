#!/usr/bin/env bash
# npm run bench: the benchmarks against the stand-in, printing their figures, and the crash harness.
set -euo pipefail
cd "$(dirname "$0")/.."
node esbuild.mjs --production --tests >/dev/null
echo "== 1. watching economy, three cases against 3 s polling (about 70 s)"; node out/bench/watching.js
echo; echo "== 2. survival"; node out/bench/survival.js
echo; echo "== 3. downloads"; node --expose-gc out/bench/downloads.js
echo; echo "== 4. cost at rest"; node out/bench/costAtRest.js
echo; echo "== 5. Tasks view with 10,000 runs"; node --expose-gc out/bench/tasksView.js
echo; echo "== 6. crash harness: SIGKILL at five points, then a fresh start"; node out/bench/crash.js --kills 10
