#!/usr/bin/env bash
# npm test: type check, unit tests (core + stand-in), then the tests in a real VS Code.
# Ends with one line "tests: N passed, N failed" summing every mocha run.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0

echo "== type check (every layer)"
npm run --silent typecheck || status=1

echo "== unit tests"
if node esbuild.mjs --tests >/dev/null; then
  npx mocha --config test/unit/.mocharc.json 2>&1 | tee "$logs/unit.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  status=1
fi

echo "== the package (vsce: no warning, README and CHANGELOG as written, bundle size)"
node scripts/check-package.mjs || status=1

echo "== crash harness (SIGKILL at five points, then a fresh start)"
if [ -f out/bench/crash.js ]; then
  node out/bench/crash.js --kills 10 || status=1
else
  status=1
fi

echo "== tests in a real VS Code"
bash test/e2e/run-vscode-tests.sh 2>&1 | tee "$logs/vscode.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# mocha prints "N passing" and "N failing"; colour codes stripped.
sum() { sed 's/\x1b\[[0-9;]*m//g' "$logs"/*.log | grep -Eo "^ +[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
passed=$(sum passing)
failed=$(sum failing)
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo
echo "tests: $passed passed, $failed failed"
exit $status
