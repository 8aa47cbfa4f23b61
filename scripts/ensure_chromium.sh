#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright never downloads a browser here)
# and need a CJK font, or every Chinese character renders as a box, and an emoji font for
# the workbench's emoji and card icons (the screenshots people look at).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk)
fi
if ! fc-list 2>/dev/null | grep -qi "emoji"; then
  missing+=(fonts-noto-color-emoji)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The browser tests need: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
