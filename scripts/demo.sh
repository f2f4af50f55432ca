#!/usr/bin/env bash
# npm run demo: build, package, install code-server (cached outside the clone), start the
# stand-in and VS Code on 127.0.0.1, and print the address to open.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/e2e/setup-vscode.sh >/dev/null
node esbuild.mjs --tests >/dev/null
npx vsce package --no-dependencies -o out/creatok-image.vsix >/dev/null
exec node out/scripts/demo.js
