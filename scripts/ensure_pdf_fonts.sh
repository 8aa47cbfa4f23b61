#!/usr/bin/env bash
# Certificate PDFs (WeasyPrint) need Pango and a CJK font, or Chinese prints as boxes.
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for certificate PDFs ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Certificate PDFs need: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
