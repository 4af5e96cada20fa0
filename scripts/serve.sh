#!/usr/bin/env bash
# Start the action server and the Rasa server (REST + socket.io) in the
# foreground; Ctrl-C or SIGTERM stops both. With --shell, talk to the bot in the
# terminal (`rasa shell`) instead of serving HTTP.
# Settings: RASA_PORT (5005), ACTION_PORT (5055), BIND_HOST (127.0.0.1),
# TRACKER_DB (rasa.db), MODEL (models/zqbz.tar.gz).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${RASA_PORT:=5005}" "${ACTION_PORT:=5055}" "${BIND_HOST:=127.0.0.1}"
: "${TRACKER_DB:=rasa.db}" "${MODEL:=models/zqbz.tar.gz}"
export RASA_PORT ACTION_PORT BIND_HOST TRACKER_DB
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
BIN=.venv/bin

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

SANIC_HOST="$BIND_HOST" "$BIN/python" -m rasa_sdk --actions actions --port "$ACTION_PORT" &
pids+=($!)

if [[ "${1:-}" == "--shell" ]]; then
  "$BIN/rasa" shell --model "$MODEL" --endpoints endpoints.yml --interface "$BIND_HOST" --port "$RASA_PORT"
  exit 0
fi

api_args=()
if [[ "$BIND_HOST" == "127.0.0.1" || "$BIND_HOST" == "localhost" ]]; then
  api_args=(--enable-api)  # /model/parse and the tracker API, loopback only
fi

"$BIN/rasa" run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
  --interface "$BIND_HOST" --port "$RASA_PORT" "${api_args[@]}" &
pids+=($!)
echo "Rasa server: http://$BIND_HOST:$RASA_PORT/webhooks/rest/webhook  (actions on :$ACTION_PORT)"

# Stop everything when either server dies, so a half-running bot is not left behind.
wait -n "${pids[@]}"
