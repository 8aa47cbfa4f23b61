#!/usr/bin/env bash
# `make run`: migrate, load the demo, then serve the ASGI app and a Celery worker until
# Ctrl-C, which stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
port="${PORT:-8000}"
bin=.venv/bin

$bin/python manage.py migrate --noinput -v0
$bin/python manage.py seed_demo --allow-production

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "Stopping ..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$bin/celery -A simulator worker -l info --concurrency 2 --without-mingle --without-gossip &
pids+=($!)
$bin/python manage.py serve --port "$port" --access-log -v 2 &
pids+=($!)

echo
echo "Serving on http://127.0.0.1:${port}/  (Ctrl-C stops the server and the worker)"
echo
wait -n
