#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# HAProxy in front of the replicas that `infra/local/up.sh --replicas N` starts (issue #14):
#   proxy-edge    127.0.0.1:5000 → proxy-edge-1..N   on 5010, 5020, …  (least connections: streams last)
#   command-side  127.0.0.1:5001 → command-side-1..N on 5011, 5021, …  (round robin)
#   query-side    127.0.0.1:5002 → query-side-1..N   on 5012, 5022, …  (round robin)
#   statistics    http://127.0.0.1:5099/             (LLMPROXY_HAPROXY_STATS_PORT)
# Each instance is checked every second on GET /actuator/health/readiness (down after 2 failures, up
# after 2 successes); a request that could not connect to an instance is sent to another one
# (retry-on conn-failure: the request never reached the dead one, so it is not sent twice). A request
# that an instance dies while serving is not retried (a chat call may have been billed): its client
# sees the connection close, and retries.
#
#   infra/local/haproxy.sh start | stop | config
# Environment: LLMPROXY_REPLICAS (2), LLMPROXY_EDGE_PORT / _COMMAND_PORT / _QUERY_PORT (5000/5001/5002),
# LLMPROXY_PROMETHEUS=1 with LLMPROXY_EDGE_MANAGEMENT_PORT (5090): the edges' health is on 5090 + i.
# Needs Debian's haproxy package: apt-get install -y haproxy.
set -euo pipefail
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

REPLICAS="${LLMPROXY_REPLICAS:-2}"
EDGE_PORT="${LLMPROXY_EDGE_PORT:-5000}"
COMMAND_PORT="${LLMPROXY_COMMAND_PORT:-5001}"
QUERY_PORT="${LLMPROXY_QUERY_PORT:-5002}"
STATS_PORT="${LLMPROXY_HAPROXY_STATS_PORT:-5099}"
EDGE_MANAGEMENT_PORT="${LLMPROXY_EDGE_MANAGEMENT_PORT:-5090}"
CFG="$LLMPROXY_STATE_DIR/haproxy/haproxy.cfg"

# backend NAME BASE_PORT BALANCE [HEALTH_BASE_PORT HEALTH_STEP]
backend() {
  local name="$1" base="$2" balance="$3" hbase="${4:-}" hstep="${5:-10}" i port check
  printf 'frontend %s\n  bind 127.0.0.1:%s\n  default_backend %s\n\n' "$name" "$base" "$name"
  printf 'backend %s\n  balance %s\n  option httpchk GET /actuator/health/readiness\n  http-check expect status 200\n' "$name" "$balance"
  printf '  retry-on conn-failure\n  retries 2\n  option redispatch\n'
  for ((i = 1; i <= REPLICAS; i++)); do
    port=$((base + 10 * i))
    check=""
    [[ -n "$hbase" ]] && check=" port $((hbase + hstep * i))"
    printf '  server %s-%s 127.0.0.1:%s check inter 1s fall 2 rise 2%s\n' "$name" "$i" "$port" "$check"
  done
  printf '\n'
}

config() {
  cat <<CFG
# written by infra/local/haproxy.sh; $REPLICAS replicas of each app
global
  # 2,000 concurrent streams need 4,000 connections (client + server side); the FD limit here is 20,000
  maxconn 8000

defaults
  mode http
  option http-keep-alive
  timeout connect 2s
  timeout client 10m
  timeout server 10m
  timeout http-keep-alive 30s
  timeout http-request 30s

listen stats
  bind 127.0.0.1:$STATS_PORT
  stats enable
  stats uri /
  stats refresh 2s

CFG
  if [[ "${LLMPROXY_PROMETHEUS:-0}" == 1 ]]; then
    backend proxy-edge "$EDGE_PORT" leastconn "$EDGE_MANAGEMENT_PORT" 1
  else
    backend proxy-edge "$EDGE_PORT" leastconn
  fi
  backend command-side "$COMMAND_PORT" roundrobin
  backend query-side "$QUERY_PORT" roundrobin
}

case "${1:-}" in
  config) config ;;
  start)
    command -v haproxy >/dev/null || { llmproxy_err "haproxy is not installed: apt-get install -y haproxy (Debian/Ubuntu), then run again"; exit 1; }
    mkdir -p "$(dirname "$CFG")" "$LLMPROXY_PID_DIR" "$LLMPROXY_LOG_DIR"
    config >"$CFG"
    haproxy -c -q -f "$CFG" || { llmproxy_err "haproxy refused $CFG"; exit 1; }
    if pid="$(llmproxy_service_pid haproxy)"; then
      llmproxy_log "haproxy: already running (pid $pid); stop it with infra/local/down.sh to change the replicas"
      exit 0
    fi
    for port in "$EDGE_PORT" "$COMMAND_PORT" "$QUERY_PORT" "$STATS_PORT"; do
      if llmproxy_port_open 127.0.0.1 "$port"; then
        llmproxy_err "haproxy: port $port is already in use"
        exit 1
      fi
    done
    # argv[0] carries the marker down.sh looks for (llmproxy_service_pid); -db: stay in the foreground
    (
      trap '' HUP
      exec -a "haproxy $(llmproxy_service_marker haproxy)" haproxy -db -f "$CFG" </dev/null >"$LLMPROXY_LOG_DIR/haproxy.log" 2>&1
    ) &
    printf '%s\n' "$!" >"$(llmproxy_pid_file haproxy)"
    llmproxy_wait_port 127.0.0.1 "$EDGE_PORT" 10 || { llmproxy_err "haproxy did not open $EDGE_PORT; see $LLMPROXY_LOG_DIR/haproxy.log"; exit 1; }
    llmproxy_log "haproxy: edge :$EDGE_PORT, command-side :$COMMAND_PORT, query-side :$QUERY_PORT over $REPLICAS replicas each (stats http://127.0.0.1:$STATS_PORT/)"
    ;;
  stop) llmproxy_stop_service haproxy 10 || true ;;
  *)
    sed -n '3,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
