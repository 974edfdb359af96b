# Shared by the measuring scripts that start a daemon of their own (flood.sh, cpu-per-sandbox.sh).
# Source it; it defines:
#   ak_await_daemon PORT PID LOG   waits (30 s at most) until the daemon answers /health; prints
#                                  LOG and fails if the process PID ended or it never answered
#   ak_api STATE_DIR ARGS...       curl with the daemon's API key (STATE_DIR/api-key, which the
#                                  daemon writes on its first start) and a JSON content type

ak_await_daemon() {
  local port=$1 pid=$2 log=$3
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  echo "the daemon (pid $pid) did not answer on port $port within 30 s" >&2
  cat "$log" >&2
  return 1
}

ak_api() {
  local state=$1; shift
  curl -H "X-API-Key: $(cat "$state/api-key")" -H 'Content-Type: application/json' "$@"
}
