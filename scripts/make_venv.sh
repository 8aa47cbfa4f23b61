#!/usr/bin/env bash
# Create the virtual environment. Debian ships venv support in a separate package
# (python3-venv); install it when we can, otherwise say exactly what to do.
set -euo pipefail
python=$1
venv=$2
if "$python" -m venv "$venv" 2>/dev/null; then
  exit 0
fi
rm -rf "$venv"
version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing python${version}-venv with apt-get ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" >/dev/null
  "$python" -m venv "$venv"
else
  echo "Cannot create a virtual environment: install python${version}-venv" >&2
  echo "  (sudo apt-get install python${version}-venv) and run make again." >&2
  exit 1
fi
