#!/usr/bin/env bash
# Start the bot in the foreground: the action server, the Rasa server (REST +
# socket.io) and the web server with the demo help page and chat widget.
# Ctrl-C or SIGTERM stops all of them; so does any one of them dying.
#   scripts/serve.sh             everything (what `make run` does)
#   scripts/serve.sh --shell     action server + `rasa shell` in the terminal
#   scripts/serve.sh actions|rasa|web   one part only (used by the tests)
# Settings: RASA_PORT (5005), ACTION_PORT (5055), WEB_PORT (8000), BIND_HOST
# (127.0.0.1), TRACKER_DB (rasa.db), MODEL (models/zqbz.tar.gz), WIDGET_ORIGINS
# (the web page's origins, default the demo page's).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${RASA_PORT:=5005}" "${ACTION_PORT:=5055}" "${WEB_PORT:=8000}" "${BIND_HOST:=127.0.0.1}"
: "${TRACKER_DB:=rasa.db}" "${MODEL:=models/zqbz.tar.gz}"
: "${WIDGET_ORIGINS:=http://$BIND_HOST:$WEB_PORT http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT}"
export RASA_PORT ACTION_PORT WEB_PORT BIND_HOST TRACKER_DB WIDGET_ORIGINS
# Chat-platform connectors (credentials.yml): empty secrets leave them switched off.
: "${DINGTALK_APP_SECRET=}" "${DINGTALK_API_BASE:=https://oapi.dingtalk.com}"
: "${WECOM_CORP_ID=}" "${WECOM_TOKEN=}" "${WECOM_AES_KEY=}" "${WECOM_SECRET=}" "${WECOM_AGENT_ID=}"
: "${WECOM_API_BASE:=https://qyapi.weixin.qq.com}"
export DINGTALK_APP_SECRET DINGTALK_API_BASE WECOM_CORP_ID WECOM_TOKEN WECOM_AES_KEY WECOM_SECRET \
  WECOM_AGENT_ID WECOM_API_BASE
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
BIN=.venv/bin

start_actions() {
  SANIC_HOST="$BIND_HOST" "$BIN/python" -m rasa_sdk --actions actions --port "$ACTION_PORT" &
  pids+=($!)
}

start_rasa() {
  local api_args=()
  if [[ "$BIND_HOST" == "127.0.0.1" || "$BIND_HOST" == "localhost" ]]; then
    api_args=(--enable-api)  # /model/parse and the tracker API, loopback only
  fi
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
  all)
    start_actions; start_rasa; start_web
    echo "Bot: http://$BIND_HOST:$RASA_PORT/webhooks/rest/webhook   Help page: http://$BIND_HOST:$WEB_PORT/" ;;
  *) echo "usage: $0 [all|--shell|actions|rasa|web]" >&2; exit 2 ;;
esac

# Stop everything when any part dies, so a half-running bot is not left behind.
wait -n "${pids[@]}"
