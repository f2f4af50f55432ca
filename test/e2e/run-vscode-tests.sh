#!/usr/bin/env bash
# The tests in a real VS Code: integration tests inside the extension host, then the UI tests
# in headless chromium. Expects `node esbuild.mjs --tests` to have run (npm run test:vscode does).
set -euo pipefail
cd "$(dirname "$0")/../.."

# Chromium (or CHROME_PATH): installed here when this user can, else the command is printed.
bash scripts/system-packages.sh chromium
bash test/e2e/setup-vscode.sh >/dev/null

# The UI tests install the extension as a user would: from the .vsix (vsce runs the
# production build through vscode:prepublish).
npx vsce package --no-dependencies --no-rewrite-relative-links -o out/creatok-image.vsix >/dev/null

status=0
echo "== integration tests in the extension host (code-server)"
node out/test/e2e/harness/runIntegration.js || status=$?
echo "== UI tests (code-server + headless chromium)"
npx mocha --config test/e2e/.mocharc.json || status=$?
exit $status
