#!/usr/bin/env bash
# npm test: type check, unit tests (core + stand-in), then the tests in a real VS Code.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== type check"
npx tsc -p . --noEmit
echo "== unit tests"
node esbuild.mjs --tests >/dev/null
npx mocha --config test/unit/.mocharc.json
echo "== tests in a real VS Code"
bash test/e2e/run-vscode-tests.sh
