#!/usr/bin/env bash
# Makes sure Debian packages are installed: `bash scripts/system-packages.sh chromium libkrb5-dev`.
#   chromium     the browser the UI tests drive (headless)
#   libkrb5-dev  the headers code-server's native modules build against (first install only)
# Installs what is missing with apt-get when it can (root, or sudo without a password);
# otherwise prints the one command to run, and exits 3.
set -euo pipefail
present() {
  case "$1" in
    chromium) [ -x "${CHROME_PATH:-/usr/bin/chromium}" ] || command -v chromium >/dev/null 2>&1 ;;
    libkrb5-dev) [ -f /usr/include/gssapi/gssapi.h ] ;;
    *) dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}
need=()
for pkg in "$@"; do present "$pkg" || need+=("$pkg"); done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "These Debian packages are needed: ${need[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 3
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "These packages are needed: ${need[*]} (no apt-get here: install them with your system's package manager)." >&2
  exit 3
fi
echo "== installing ${need[*]} (apt-get)" >&2
"${as_root[@]}" apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "${need[@]}" >&2
