#!/usr/bin/env bash
# `make bench`: the portal under load on this machine, against a bare Django view.
# Needs PostgreSQL and Redis running on 127.0.0.1. Everything it starts it stops (trap), every run is bounded.
#   BENCH_DURATION=10        seconds of wrk per page and connection count (1..600)
#   SEED_SCALE_ARGS=""       options for seed_scale, e.g. "--cooperatives 2000 --documents 5000"
#   BENCH_RESEED=1           wipe the scale rows first, so seeding is done (and timed) again
#   BENCH_DATABASE_URL       default postgres://postgres@127.0.0.1:5432/htx_bench
#   BENCH_REDIS_URL          the Redis server, default redis://127.0.0.1:6379
#   BENCH_REDIS_DB=12        Redis database for the cache (the broker uses the next one)
#   BENCH_PORT=8090          gunicorn's port on 127.0.0.1;  BENCH_WORKERS=2 (unless deploy/gunicorn.conf.py exists)
#   BENCH_HOSTS=2            also measure two gunicorn hosts (BENCH_WORKERS workers each, their own folders) behind
#                            one nginx made from deploy/nginx/upstream-example.conf, against one host directly and
#                            one host behind the same nginx (ops/bench/hosts.py); default 1: one host only
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
OUT=ops/bench/out
mkdir -p "$OUT"
started=$(date +%s)
# The code being measured (the report is written at the end, from these files).
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi
echo "$commit" > "$OUT/commit.txt"
rm -f "$OUT/hosts.json"  # written again only by a BENCH_HOSTS=2 run
step() { printf '\n== %s  [%ss]\n' "$*" "$(( $(date +%s) - started ))"; }

export BENCH_DURATION="${BENCH_DURATION:-10}"
if ! [[ "$BENCH_DURATION" =~ ^[0-9]+$ ]] || [ "$BENCH_DURATION" -lt 1 ] || [ "$BENCH_DURATION" -gt 600 ]; then
  echo "BENCH_DURATION must be a whole number of seconds from 1 to 600" >&2
  exit 2
fi
PORT="${BENCH_PORT:-8090}"
BASE="http://127.0.0.1:$PORT"
REDIS_DB="${BENCH_REDIS_DB:-12}"
REDIS_SERVER="${BENCH_REDIS_URL:-redis://127.0.0.1:6379}"
REDIS_SERVER="${REDIS_SERVER%/}"
HOSTS="${BENCH_HOSTS:-1}"
if [ "$HOSTS" != 1 ] && [ "$HOSTS" != 2 ]; then echo "BENCH_HOSTS must be 1 or 2" >&2; exit 2; fi
export BENCH_WORKERS="${BENCH_WORKERS:-2}"
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/htx_bench}"
export REDIS_URL="$REDIS_SERVER/$REDIS_DB"
export CELERY_BROKER_URL="$REDIS_SERVER/$((REDIS_DB + 1))"
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_LOG_LEVEL=WARNING
export PORTAL_BENCH_ENDPOINTS=1
# The API's limit per client stays on (its counter is part of what is measured) but out of reach of wrk's one address.
export PORTAL_API_REQUESTS_PER_MINUTE=1000000000

step "wrk"
if ! command -v wrk >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
wrk --version 2>&1 | head -1 || true

step "PostgreSQL and Redis"
$PY - <<'PY'
import os
import sys

import dj_database_url
import psycopg
import redis

db = dj_database_url.parse(os.environ["DATABASE_URL"])
if not os.environ["REDIS_URL"].startswith(("redis://127.0.0.1:", "redis://localhost:")):
    sys.exit("bench runs against this machine only (BENCH_REDIS_URL must point at 127.0.0.1)")
if db["HOST"] not in {"127.0.0.1", "localhost"}:
    sys.exit("bench runs against this machine only (BENCH_DATABASE_URL must point at 127.0.0.1)")
try:
    conn = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
                           dbname="postgres", autocommit=True, connect_timeout=5)
except psycopg.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable on {db['HOST']}:{db['PORT'] or 5432}: {exc}")
with conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
        print("created database", db["NAME"])
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
except redis.RedisError as exc:
    sys.exit(f"Redis is not reachable at {os.environ['REDIS_URL']}: {exc}")
print("PostgreSQL and Redis answer")
PY

step "migrate, demo, scale data"
$PY manage.py migrate --noinput -v0
$PY manage.py load_demo >/dev/null
if [ "${BENCH_RESEED:-0}" = 1 ]; then $PY manage.py seed_scale --reset; fi
# shellcheck disable=SC2086 - the options are meant to split
$PY manage.py seed_scale ${SEED_SCALE_ARGS:-} --timings "$OUT/seed.json"
$PY manage.py collectstatic --noinput -v0

step "queries per page at demo size and at scale"
$PY manage.py bench_queries --output "$OUT/queries.json"

step "gunicorn on 127.0.0.1:$PORT"
if $PY -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
  echo "port $PORT is already in use" >&2
  exit 1
fi
$PY -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()"  # the bench's own cache DB
if [ -f deploy/gunicorn.conf.py ]; then conf=(-c deploy/gunicorn.conf.py); else conf=(--workers "$BENCH_WORKERS"); fi
.venv/bin/gunicorn config.wsgi:application "${conf[@]}" --bind "127.0.0.1:$PORT" \
  --error-logfile "$OUT/gunicorn.log" --log-level warning &
GUNICORN_PID=$!
stop_pid() {  # stop_pid PID NAME: TERM, up to 30 s for a graceful exit, then KILL
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1"
    for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    echo "$2 stopped"
  fi
}
stop_gunicorn() { stop_pid "${GUNICORN_PID:-}" gunicorn; GUNICORN_PID=; }
stop_hosts() {
  stop_pid "${NGINX_PID:-}" nginx; NGINX_PID=
  stop_pid "${HOST_A_PID:-}" "host A (gunicorn)"; HOST_A_PID=
  stop_pid "${HOST_B_PID:-}" "host B (gunicorn)"; HOST_B_PID=
}
cleanup() { stop_gunicorn; stop_hosts; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
up=0
for _ in $(seq 1 60); do
  if $PY -c "from ops.bench.measure import fetch; import sys; sys.exit(fetch('$BASE', '/healthz')[0] != 200)" 2>/dev/null
  then up=1; break; fi
  sleep 0.5
done
[ "$up" = 1 ] || { echo "gunicorn did not answer /healthz in 30 s; see $OUT/gunicorn.log" >&2; exit 1; }

step "load: every page at 1 and 16 connections, ${BENCH_DURATION}s each"
$PY -m ops.bench.measure --base "$BASE" --queries "$OUT/queries.json" --master-pid "$GUNICORN_PID" \
  --duration "$BENCH_DURATION" --output "$OUT/load.json"
stop_gunicorn

if [ "$HOSTS" = 2 ]; then
  step "two hosts behind nginx: gunicorn A and B, ${BENCH_WORKERS} workers each, their own folders"
  nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
  if [ ! -x "$nginx_bin" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
  fi
  read -r PORT_A PORT_B PORT_TWO PORT_ONE < <($PY -c "
import socket
held = [socket.socket() for _ in range(4)]
for s in held: s.bind(('127.0.0.1', 0))
print(*[s.getsockname()[1] for s in held])")
  HOSTS_DIR="$(cd "$OUT" && pwd)/hosts"
  rm -rf "$HOSTS_DIR"
  mkdir -p "$HOSTS_DIR/nginx"
  host_env() {  # host_env NAME PORT -> HOST_ENV: what differs between the two hosts (nothing on disk is shared)
    HOST_ENV=(DJANGO_STATIC_ROOT="$HOSTS_DIR/$1/staticfiles" DJANGO_MEDIA_ROOT="$HOSTS_DIR/$1/media"
      PORTAL_PRIVATE_MEDIA_ROOT="$HOSTS_DIR/$1/media-private" GUNICORN_BIND="127.0.0.1:$2"
      GUNICORN_WORKERS="$BENCH_WORKERS" GUNICORN_ACCESS_LOG=)
  }
  for host in a b; do
    mkdir -p "$HOSTS_DIR/$host/media" "$HOSTS_DIR/$host/media-private"
    host_env "$host" 0
    env "${HOST_ENV[@]}" $PY manage.py collectstatic --noinput -v0
  done
  if [ -f deploy/gunicorn.conf.py ]; then host_conf=(-c deploy/gunicorn.conf.py); else host_conf=(--workers "$BENCH_WORKERS"); fi
  $PY -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()"
  host_env a "$PORT_A"
  env "${HOST_ENV[@]}" .venv/bin/gunicorn config.wsgi:application "${host_conf[@]}" --bind "127.0.0.1:$PORT_A" \
    --error-logfile "$HOSTS_DIR/a/gunicorn.log" --log-level warning &
  HOST_A_PID=$!
  host_env b "$PORT_B"
  env "${HOST_ENV[@]}" .venv/bin/gunicorn config.wsgi:application "${host_conf[@]}" --bind "127.0.0.1:$PORT_B" \
    --error-logfile "$HOSTS_DIR/b/gunicorn.log" --log-level warning &
  HOST_B_PID=$!
  $PY -m ops.bench.hosts config --hosts "127.0.0.1:$PORT_A" "127.0.0.1:$PORT_B" \
    --listen-two "$PORT_TWO" --listen-one "$PORT_ONE" --dir "$HOSTS_DIR/nginx"
  "$nginx_bin" -t -q -c "$HOSTS_DIR/nginx/nginx.conf"
  "$nginx_bin" -c "$HOSTS_DIR/nginx/nginx.conf"
  for _ in $(seq 1 20); do [ -s "$HOSTS_DIR/nginx/nginx.pid" ] && break; sleep 0.25; done
  NGINX_PID="$(cat "$HOSTS_DIR/nginx/nginx.pid")"
  for port in "$PORT_A" "$PORT_B" "$PORT_TWO" "$PORT_ONE"; do
    up=0
    for _ in $(seq 1 60); do
      if $PY -c "from ops.bench.measure import fetch; import sys; sys.exit(fetch('http://127.0.0.1:$port', '/healthz')[0] != 200)" 2>/dev/null
      then up=1; break; fi
      sleep 0.5
    done
    [ "$up" = 1 ] || { echo "127.0.0.1:$port did not answer /healthz in 30 s; see $HOSTS_DIR" >&2; exit 1; }
  done
  echo "host A 127.0.0.1:$PORT_A, host B 127.0.0.1:$PORT_B; nginx: both hosts on $PORT_TWO, host A only on $PORT_ONE"

  step "load through nginx and directly: bare view, cached pages, login page at 1 and 16 connections, ${BENCH_DURATION}s each"
  $PY -m ops.bench.hosts measure --direct "http://127.0.0.1:$PORT_A" --one "http://127.0.0.1:$PORT_ONE" \
    --two "http://127.0.0.1:$PORT_TWO" --queries "$OUT/queries.json" --duration "$BENCH_DURATION" \
    --workers "$BENCH_WORKERS" --log "$HOSTS_DIR/nginx/upstreams.log" --output "$OUT/hosts.json"
  stop_hosts
fi

step "timed jobs"
$PY -m ops.bench.runjob --all --output "$OUT/jobs.json"

step "results"
echo "make bench took $(( $(date +%s) - started )) s up to the report"
$PY -m ops.bench.report --out "$OUT" --results ops/bench
