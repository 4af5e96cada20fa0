#!/usr/bin/env bash
# Start the bot in the foreground: the action server, the Rasa server (REST +
# socket.io) and the web server with the demo help page and chat widget.
# Ctrl-C or SIGTERM stops all of them; so does any one of them dying.
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
#   REDIS_HOST (set: Redis lock store), REDIS_PORT (6379), REDIS_DB (1), REDIS_PASSWORD.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "error: $*" >&2; exit 2; }
is_loopback() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

BIN="${VENV_BIN:-.venv/bin}"  # a container image may keep its virtualenv elsewhere
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
new_token() { "$BIN/python" -c 'import secrets; print(secrets.token_hex(24))'; }
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

start_actions() {
  "$BIN/python" scripts/action_server.py &
  pids+=($!)
}

start_rasa() {
  # Rasa's HTTP API (/model/parse, the tracker API: the agent tools use it)
  # always needs the token; channels/api_guard.py checks Host and Origin too.
  local api_args=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
  # shellcheck disable=SC2086  # WIDGET_ORIGINS is a list
  "$BIN/rasa" run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
    --interface "$BIND_HOST" --port "$RASA_PORT" --cors $WIDGET_ORIGINS "${api_args[@]}" &
  pids+=($!)
}

start_web() {
  "$BIN/python" scripts/web_server.py &
  pids+=($!)
}

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

case "${1:-all}" in
  --shell)
    start_actions
    "$BIN/rasa" shell --model "$MODEL" --endpoints endpoints.yml --interface "$BIND_HOST" --port "$RASA_PORT"
    exit 0 ;;
  actions) start_actions ;;
  rasa) start_rasa ;;
  web) start_web ;;
  settings)  # what would be used, secrets masked (for operators and tests)
    mask() { sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#'; }
    echo "tracker store: $(if [[ -n "$TRACKER_DB_URL" ]]; then echo "$TRACKER_DB_URL" | mask; else echo "sqlite $TRACKER_DB"; fi)"
    echo "lock store: $LOCK_STORE${REDIS_HOST:+ at $REDIS_HOST:$REDIS_PORT db $REDIS_DB}"
    echo "socket.io relay: $(if [[ -n "$SOCKETIO_REDIS_URL" ]]; then echo "$SOCKETIO_REDIS_URL" | mask; else echo off; fi)"
    echo "rasa: $BIND_HOST:$RASA_PORT, API token $([[ -n "$RASA_AUTH_TOKEN" ]] && echo set || echo "made at start")"
    echo "actions: $ACTION_HOST:$ACTION_PORT via $ACTION_ENDPOINT_URL, token $([[ -n "$ACTION_TOKEN" ]] && echo set || echo "not set (loopback only)")"
    echo "web origins: $WIDGET_ORIGINS"
    exit 0 ;;
  all)
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

# Stop everything when any part dies, so a half-running bot is not left behind.
wait -n "${pids[@]}"
