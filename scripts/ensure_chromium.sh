#!/usr/bin/env bash
# The browser tests drive Debian's chromium; Playwright never downloads a browser here.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
else
  echo "The browser tests need /usr/bin/chromium: sudo apt-get install chromium fonts-noto-cjk" >&2
  exit 1
fi
