#!/usr/bin/env bash
# npm run bench: the benchmarks against the stand-in, printing their figures, and the crash harness.
set -uo pipefail
# Every benchmark runs; the script exits 1 if any missed its goal (each exits 1 then).
status=0
cd "$(dirname "$0")/.."
node esbuild.mjs --production --tests >/dev/null || exit 1
echo "== 1. watching economy, three cases against 3 s polling (about 70 s)"; node out/bench/watching.js || status=1
echo; echo "== 2. survival"; node out/bench/survival.js || status=1
echo; echo "== 3. downloads"; node --expose-gc out/bench/downloads.js || status=1
echo; echo "== 4. cost at rest"; node out/bench/costAtRest.js || status=1
echo; echo "== 5. Tasks view with 10,000 runs"; node --expose-gc out/bench/tasksView.js || status=1
echo; echo "== 6. the gallery with 10,000 runs, beside the Tasks view"; node --expose-gc out/bench/gallery.js || status=1
echo; echo "== 7. crash harness: SIGKILL at five points, then a fresh start"; node out/bench/crash.js --kills 10 || status=1
exit $status
