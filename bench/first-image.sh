#!/usr/bin/env bash
# Fresh clone → first image in the demo, timed: git clone, `npm install`, `npm run demo` until it
# prints the VS Code address, then a headless browser generates one image (bench/firstImage.ts).
#   bash bench/first-image.sh warm   the npm and code-server caches as they are
#   bash bench/first-image.sh cold   empty npm and code-server caches (everything downloaded)
set -euo pipefail
mode=${1:-warm}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
demo=''
trap '[ -n "$demo" ] && kill -- -"$demo" 2>/dev/null; sleep 2; rm -rf "$work"' EXIT
if [ "$mode" = cold ]; then
  export npm_config_cache=$work/npm-cache CREATOK_VSCODE_TEST_CACHE=$work/vscode-cache
fi
export DEMO_HOME=$work/demo DEMO_PORT=${DEMO_PORT:-8093}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }
t0=$(now)
git clone -q "$repo" "$work/clone"
cd "$work/clone"
npm install --no-audit --no-fund >"$work/install.log" 2>&1
t1=$(now)
: >"$work/demo.log"
setsid npm run demo >"$work/demo.log" 2>&1 &
demo=$!
until grep -q 'VS Code:' "$work/demo.log"; do
  kill -0 "$demo" 2>/dev/null || { cat "$work/demo.log" >&2; exit 1; }
  sleep 1
done
t2=$(now)
url=$(grep 'VS Code:' "$work/demo.log" | awk '{print $3}')
workspace=$(grep 'Workspace:' "$work/demo.log" | awk '{print $2}')
node out/bench/firstImage.js "$url" "$workspace"
t3=$(now)
echo "fresh clone -> first image ($mode): clone + npm install $(secs "$t0" "$t1") s, npm run demo ready $(secs "$t1" "$t2") s, first image $(secs "$t2" "$t3") s; total $(secs "$t0" "$t3") s"
