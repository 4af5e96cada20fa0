#!/usr/bin/env bash
# Start the bot in the foreground: the action server, the Rasa server (REST +
# socket.io) and the web server with the demo help page and chat widget.
# Ctrl-C or SIGTERM stops all of them. A part that dies is started again after
# 1, 2, 4 … 30 s (back to 1 s once it has run for a minute), logged on stderr;
# the others keep serving meanwhile.
#   scripts/serve.sh             everything (what `make run` does)
#   scripts/serve.sh --shell     action server + `rasa shell` in the terminal
#   scripts/serve.sh actions|rasa|web   one part only (the tests; one part per
#                                machine or container in a larger layout)
# Settings (README, "Deploying"):
#   RASA_PORT (5005), ACTION_PORT (5055), WEB_PORT (8000), BIND_HOST (127.0.0.1),
#   MODEL (models/zqbz.tar.gz), WIDGET_ORIGINS (the web pages' origins, default
#   the demo page's), MAX_REQUEST_BYTES (262144),
#   RASA_AUTH_TOKEN (required when BIND_HOST is not the loopback address; else made
#   at start and printed, as are AGENT_TOKEN and HANDOFF_API_TOKEN), ALLOWED_HOSTS,
#   SESSION_SECRET,
#   ACTION_HOST (127.0.0.1), ACTION_TOKEN, ACTION_ENDPOINT_URL,
#   TRACKER_DB (rasa.db) or TRACKER_DB_URL (postgresql://...),
#   REDIS_HOST (set: Redis lock store), REDIS_PORT (6379), REDIS_DB (1), REDIS_PASSWORD,
#   SANIC_WORKERS (1): Rasa processes serving RASA_PORT; more than one without
#   REDIS_HOST starts a local Redis for their shared lock store.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "error: $*" >&2; exit 2; }

BIN="${VENV_BIN:-.venv/bin}"  # a container image may keep its virtualenv elsewhere
is_loopback() { "$BIN/python" -m core.loopback "$1"; }  # the one set of loopback names (core/loopback.py)
new_token() { "$BIN/python" -c 'import secrets; print(secrets.token_hex(24))'; }

# Several Rasa processes (SANIC_WORKERS > 1, Rasa's own setting; Sanic shares the
# port between them) need a lock store they all see, or two processes could
# answer one seller at once. Rasa's way is Redis: with no REDIS_HOST set, one is
# started here (loopback, a free port, a password made for this run, nothing
# written to disk), restarted if it dies and stopped with the rest.
WORKERS="${SANIC_WORKERS:-1}"
[[ "$WORKERS" =~ ^[1-9][0-9]{0,2}$ ]] || fail "SANIC_WORKERS=$WORKERS: expected the number of Rasa processes (1, 2, ...)"
local_redis=""
if (( WORKERS > 1 )) && [[ -z "${REDIS_HOST:-}" ]] && [[ "${1:-all}" =~ ^(all|rasa|settings)$ ]]; then
  if [[ "${1:-all}" != settings ]] && ! command -v redis-server >/dev/null; then
    fail "SANIC_WORKERS=$WORKERS needs Redis for the shared lock store: install redis-server (make redis) or set REDIS_HOST"
  fi
  REDIS_PORT="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  REDIS_PASSWORD="$(new_token)"
  export REDIS_HOST=127.0.0.1 REDIS_PORT REDIS_PASSWORD
  local_redis=1
fi

# Every setting endpoints.yml and credentials.yml expand (${VAR}), with its
# one-machine default: scripts/rasa_env.py, which the plain `rasa` commands use too.
settings="$("$BIN/python" scripts/rasa_env.py)" || fail "could not read the settings (scripts/rasa_env.py)"
eval "$settings"
# Sanic answers bigger requests with 413 before any channel reads them.
export SANIC_REQUEST_MAX_SIZE="$MAX_REQUEST_BYTES"
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

# Access control: refuse to start open to the network.
if ! is_loopback "$BIND_HOST" && [[ -z "$RASA_AUTH_TOKEN" ]]; then
  fail "BIND_HOST=$BIND_HOST exposes Rasa's HTTP API: set RASA_AUTH_TOKEN (or bind 127.0.0.1)"
fi
if ! is_loopback "$ACTION_HOST" && [[ -z "$ACTION_TOKEN" ]]; then
  fail "ACTION_HOST=$ACTION_HOST exposes the action server: set ACTION_TOKEN (or bind 127.0.0.1)"
fi
if [[ "$WIDGET_ORIGINS" == *"*"* ]]; then
  fail "WIDGET_ORIGINS must list origins; '*' is not allowed"
fi

# Rasa's HTTP API (model replacement, tracker writes) and the agents' API never
# run without a token: when the operator set none, one is made here and printed
# (as Jupyter does), shared by the processes started together. A part started
# alone with none set makes its own (the others then cannot call it).
made_tokens=()
if [[ "${1:-all}" != "settings" ]]; then
  for name in HANDOFF_API_TOKEN RASA_AUTH_TOKEN AGENT_TOKEN; do
    if [[ -z "${!name:-}" ]]; then
      printf -v "$name" '%s' "$(new_token)"
      export "${name?}"
      made_tokens+=("$name")
    fi
  done
fi

# Run one part, starting it again whenever it exits, with backoff. SIGTERM or
# SIGINT stops the part and the loop.
supervise() {
  local name=$1 delay=1 child="" started status
  shift
  trap 'if [[ -n "$child" ]]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi; exit 0' TERM INT
  while true; do
    started=$SECONDS
    "$@" &
    child=$!
    status=0
    wait "$child" || status=$?
    child=""
    if (( SECONDS - started >= 60 )); then delay=1; fi
    echo "serve.sh: $name exited (status $status); starting it again in ${delay}s" >&2
    sleep "$delay" &
    child=$!
    wait "$child" || true
    child=""
    delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
  done
}

start_actions() {
  supervise "action server" "$BIN/python" scripts/action_server.py &
  pids+=($!)
}

start_rasa() {
  # Rasa's HTTP API (/model/parse, the tracker API: the agent tools use it)
  # always needs the token (given from the environment by scripts/rasa_run.py, so
  # it is not on a command line anyone can read); channels/api_guard.py checks
  # Host and Origin too.
  # shellcheck disable=SC2086  # WIDGET_ORIGINS is a list
  supervise "rasa server" "$BIN/python" scripts/rasa_run.py run --model "$MODEL" --endpoints endpoints.yml \
    --credentials credentials.yml --interface "$BIND_HOST" --port "$RASA_PORT" --cors $WIDGET_ORIGINS \
    --enable-api &
  pids+=($!)
}

start_redis() {
  # The password goes in a file only this user can read, not on a command line.
  redis_dir="$(mktemp -d "${TMPDIR:-/tmp}/zqbz-redis.XXXXXX")"
  (umask 077; printf 'bind 127.0.0.1\nport %s\nrequirepass %s\nsave ""\nappendonly no\ndir "%s"\n' \
    "$REDIS_PORT" "$REDIS_PASSWORD" "$redis_dir" > "$redis_dir/redis.conf")
  supervise "redis (lock store)" redis-server "$redis_dir/redis.conf" &
  pids+=($!)
  for _ in $(seq 1 50); do  # Rasa reads the lock store when it starts
    "$BIN/python" -c 'import os, redis; redis.Redis("127.0.0.1", int(os.environ["REDIS_PORT"]),
      password=os.environ["REDIS_PASSWORD"], socket_timeout=1).ping()' 2>/dev/null && return 0
    sleep 0.2
  done
  fail "the local Redis for SANIC_WORKERS=$WORKERS did not start (port $REDIS_PORT)"
}

start_web() {
  supervise "web server" "$BIN/python" scripts/web_server.py &
  pids+=($!)
}

pids=()
redis_dir=""
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "$redis_dir" ]]; then rm -rf "$redis_dir"; fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

case "${1:-all}" in
  --shell)
    start_actions
    "$BIN/rasa" shell --model "$MODEL" --endpoints endpoints.yml --interface "$BIND_HOST" --port "$RASA_PORT"
    exit 0 ;;
  actions|rasa|web)
    if [[ "$1" == rasa && -n "$local_redis" ]]; then start_redis; fi
    "start_$1"
    # A part started alone made its own tokens: the other parts need the same ones.
    for name in "${made_tokens[@]}"; do
      echo "serve.sh: $name was not set; made for this run: ${!name} (set it to the same value for the other parts)"
    done ;;
  settings)  # what would be used, secrets masked (for operators and tests)
    mask() { sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#'; }
    echo "tracker store: $(if [[ -n "$TRACKER_DB_URL" ]]; then echo "$TRACKER_DB_URL" | mask; else echo "sqlite $TRACKER_DB"; fi)"
    echo "rasa processes: $WORKERS (SANIC_WORKERS)"
    echo "lock store: $LOCK_STORE${REDIS_HOST:+ at $REDIS_HOST:$REDIS_PORT db $REDIS_DB}${local_redis:+ (started by serve.sh on a free port)}"
    echo "socket.io relay: $(if [[ -n "$SOCKETIO_REDIS_URL" ]]; then echo "$SOCKETIO_REDIS_URL" | mask; else echo off; fi)"
    echo "rasa: $BIND_HOST:$RASA_PORT, API token $([[ -n "$RASA_AUTH_TOKEN" ]] && echo set || echo "made at start")"
    echo "actions: $ACTION_HOST:$ACTION_PORT via $ACTION_ENDPOINT_URL, token $([[ -n "$ACTION_TOKEN" ]] && echo set || echo "not set (loopback only)")"
    echo "web origins: $WIDGET_ORIGINS"
    exit 0 ;;
  all)
    if [[ -n "$local_redis" ]]; then start_redis; fi
    start_actions; start_rasa; start_web
    echo "Bot: http://$BIND_HOST:$RASA_PORT/webhooks/rest/webhook   Help page: http://$BIND_HOST:$WEB_PORT/"
    if [[ " ${made_tokens[*]} " == *" AGENT_TOKEN "* ]]; then
      echo "Agents' desk (token made for this run): http://$BIND_HOST:$WEB_PORT/agent/#token=$AGENT_TOKEN"
    else
      echo "Agents' desk: http://$BIND_HOST:$WEB_PORT/agent/ (AGENT_TOKEN as set)"
    fi
    if [[ " ${made_tokens[*]} " == *" RASA_AUTH_TOKEN "* ]]; then
      echo "Rasa HTTP API token made for this run: $RASA_AUTH_TOKEN (?token=… or set RASA_AUTH_TOKEN)"
    fi ;;
  *) echo "usage: $0 [all|--shell|actions|rasa|web|settings]" >&2; exit 2 ;;
esac

# Each part restarts itself (supervise); serve.sh waits until it is stopped.
wait "${pids[@]}"
