#!/usr/bin/env bash
# `make run`: migrate, load the demo, then serve the ASGI app, a Celery worker and celery
# beat until Ctrl-C, which stops them.
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
# Periodic work (the daily certificate expiry run): exactly one beat per deployment.
$bin/celery -A simulator beat -l info --schedule var/celerybeat-schedule &
pids+=($!)
$bin/python manage.py serve --port "$port" --access-log -v 2 &
pids+=($!)

echo
echo "Serving on http://127.0.0.1:${port}/  (Ctrl-C stops the server, the worker and beat)"
echo
wait -n
