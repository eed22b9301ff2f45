#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/../infra/local
# The `peers` scenario (issue #16): the same non-streamed chat completion straight to the upstream
# simulator, through a rival gateway (npm @portkey-ai/gateway, headless) and through proxy-edge, in
# interleaved rounds after the same warm-up, on this machine. Per target and round:
#   - closed-loop throughput, BENCH_PEERS_CONNECTIONS (10) connections for BENCH_PEERS_SECONDS (10 s);
#   - latency at a fixed BENCH_PEERS_RATE (500) req/s for the same time: p50 / p99, and the added
#     latency over the direct run of the same round;
#   - CPU per call of every process involved, from /proc/<pid>/stat utime+stime over the closed-loop
#     run: edge, query-side, PostgreSQL (all its processes), Kafka, the rival, the simulator.
# Streams are not compared with the rival: its streaming fails on Node 20 (HTTP 500, TypeError: immutable).
#
# Needs the stack up (infra/local/up.sh; Keycloak and the console are not used: LLMPROXY_KEYCLOAK=skip
# LLMPROXY_UI=skip are fine), hey (apt-get install hey), Node 20+ and npm. The rival is installed once
# into BENCH_PEERS_DIR (default ${TMPDIR:-/tmp}/llmproxy-peers), never into the repository.
# Environment: BENCH_PEERS_ROUNDS (2), BENCH_PEERS_WARMUP (20000 requests per target),
# BENCH_PEERS_RIVAL_PORT (8787), BENCH_RESULTS_DIR (bench/results), LLMPROXY_*_PORT as up.sh.
# Takes about 2 min + 1 min per round. Writes bench/results/peers-<UTC time>.md and prints it.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=../infra/local/lib.sh
source "$BENCH_DIR/../infra/local/lib.sh"

ROUNDS="${BENCH_PEERS_ROUNDS:-2}"; SECONDS_RUN="${BENCH_PEERS_SECONDS:-10}"; RATE="${BENCH_PEERS_RATE:-500}"
CONNS="${BENCH_PEERS_CONNECTIONS:-10}"; WARMUP="${BENCH_PEERS_WARMUP:-20000}"
PEERS_DIR="${BENCH_PEERS_DIR:-${TMPDIR:-/tmp}/llmproxy-peers}"; RIVAL_PORT="${BENCH_PEERS_RIVAL_PORT:-8787}"
SIM="http://127.0.0.1:${LLMPROXY_SIMULATOR_PORT:-5100}"; EDGE="http://127.0.0.1:${LLMPROXY_EDGE_PORT:-5000}"
CMD="http://127.0.0.1:${LLMPROXY_COMMAND_PORT:-5001}"; RESULTS="${BENCH_RESULTS_DIR:-$BENCH_DIR/results}"
die() { llmproxy_err "$*"; exit 1; }
command -v hey >/dev/null || die "hey is missing (Debian: apt-get install -y hey)"
command -v npm >/dev/null || die "npm is missing (Node 20+)"
for s in upstream-simulator command-side query-side proxy-edge; do
  llmproxy_service_pid "$s" >/dev/null || die "$s is not running: start the stack first (infra/local/up.sh)"
done
TOKEN="${LLMPROXY_ADMIN_TOKEN:-$(tr -d '[:space:]' <"$LLMPROXY_STATE_DIR/admin-token")}"

# --- the rival, installed once outside the repository
if [[ ! -f "$PEERS_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]]; then
  llmproxy_log "installing @portkey-ai/gateway@1.15.2 into $PEERS_DIR"
  mkdir -p "$PEERS_DIR" && npm install --no-audit --no-fund --prefix "$PEERS_DIR" @portkey-ai/gateway@1.15.2 >/dev/null
fi
(cd "$PEERS_DIR" && exec node node_modules/@portkey-ai/gateway/build/start-server.js --port="$RIVAL_PORT" --headless) \
  >"$PEERS_DIR/rival.log" 2>&1 &
RIVAL_PID=$!
trap 'kill $RIVAL_PID 2>/dev/null || true' EXIT
llmproxy_wait_port 127.0.0.1 "$RIVAL_PORT" 60 "$RIVAL_PID" || die "the rival did not start (see $PEERS_DIR/rival.log)"

# --- a tenant, the simulator as an openai provider, a route and a key (what demo.sh does)
api() { curl -fsS -X "$1" "$CMD$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$3"; }
tenant=$(api POST /admin/v1/tenants '{"name":"bench-peers"}' | jq -r .tenantId)
provider=$(api POST /admin/v1/providers "{\"name\":\"bench-peers-sim\",\"type\":\"openai\",\"baseUrl\":\"$SIM/v1\",\"apiKey\":\"sk-sim\"}" | jq -r .providerId)
api PUT /admin/v1/routes/bench-peers "{\"targets\":[{\"providerId\":\"$provider\",\"model\":\"sim-gpt-4o-mini\"}]}" >/dev/null
key=$(api POST "/admin/v1/tenants/$tenant/api-keys" '{"name":"bench-peers"}' | jq -r .key)
BODY_DIRECT='{"model":"sim-gpt-4o-mini","messages":[{"role":"user","content":"bench peers"}]}'
BODY_EDGE='{"model":"bench-peers","messages":[{"role":"user","content":"bench peers"}]}'
for _ in $(seq 1 40); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "$EDGE/v1/chat/completions" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$BODY_EDGE")" == 200 ]] && break
  sleep 0.5
done

run_hey() { # run_hey TARGET hey-options... : hey with that target's request (direct, rival or edge)
  local name="$1"; shift
  case "$name" in
    direct) hey "$@" -m POST -T application/json -H "Authorization: Bearer sk-sim" -d "$BODY_DIRECT" "$SIM/v1/chat/completions" ;;
    rival) hey "$@" -m POST -T application/json -H "Authorization: Bearer sk-sim" -H "x-portkey-provider: openai" \
      -H "x-portkey-custom-host: $SIM/v1" -d "$BODY_DIRECT" "http://127.0.0.1:$RIVAL_PORT/v1/chat/completions" ;;
    edge) hey "$@" -m POST -T application/json -H "Authorization: Bearer $key" -d "$BODY_EDGE" "$EDGE/v1/chat/completions" ;;
  esac
}
declare -A PIDS=([edge]="$(llmproxy_service_pid proxy-edge)" [query-side]="$(llmproxy_service_pid query-side)"
  [simulator]="$(llmproxy_service_pid upstream-simulator)" [rival]="$RIVAL_PID"
  [kafka]="$(pgrep -f 'kafka\.Kafka' | head -1)")
ticks() { # ticks NAME: utime+stime of the process (and, for postgres, of all its processes), in clock ticks
  if [[ "$1" == postgres ]]; then
    for p in $(pgrep -u postgres); do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null; done | awk '{s+=$1} END {print s+0}'
  else awk '{print $14+$15}' "/proc/${PIDS[$1]}/stat" 2>/dev/null || echo 0; fi
}
PROCS=(edge query-side postgres kafka rival simulator)
HZ=$(getconf CLK_TCK)

llmproxy_log "warm-up: $WARMUP requests to each target (direct, rival, edge)"
for t in direct rival edge; do run_hey "$t" -n "$WARMUP" -c "$CONNS" >/dev/null; done

mkdir -p "$RESULTS"; report="$RESULTS/peers-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# peers: direct vs rival (@portkey-ai/gateway 1.15.2) vs proxy-edge, $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "- machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; commit $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- each round: closed loop $CONNS connections × ${SECONDS_RUN} s, then $RATE req/s × ${SECONDS_RUN} s (hey); warm-up $WARMUP requests per target first"
  echo "- CPU µs per call: utime+stime from /proc over the closed-loop run ÷ its calls (PostgreSQL: all its processes; a process's idle work is included)"
  echo "- streams are compared direct vs edge only (bench/run.sh stream): the rival's streaming fails on Node 20"
  echo
  echo "| round | target | closed-loop req/s | p50 ms @ $RATE/s | p99 ms @ $RATE/s | added p50 / p99 ms | $(printf '%s µs | ' "${PROCS[@]}")"
  echo "|---|---|---|---|---|---|$(printf -- '---|%.0s' "${PROCS[@]}")"
} >"$report"
for round in $(seq 1 "$ROUNDS"); do
  declare -A P50=() P99=()
  for t in direct rival edge; do
    declare -A before=(); for p in "${PROCS[@]}"; do before[$p]=$(ticks "$p"); done
    out=$(run_hey "$t" -z "${SECONDS_RUN}s" -c "$CONNS")
    cpu=""; calls=$(awk '$1=="[200]" {print $2; exit}' <<<"$out"); calls=${calls:-0}
    for p in "${PROCS[@]}"; do
      cpu+="$(( calls > 0 ? ( $(ticks "$p") - ${before[$p]} ) * 1000000 / HZ / calls : 0 )) | "
    done
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    fixed=$(run_hey "$t" -z "${SECONDS_RUN}s" -c "$CONNS" -q $((RATE / CONNS)))
    P50[$t]=$(awk '/50% in/ {printf "%.2f", $3*1000}' <<<"$fixed"); P99[$t]=$(awk '/99% in/ {printf "%.2f", $3*1000}' <<<"$fixed")
    added="—"; [[ "$t" != direct ]] && added="+$(awk -v a="${P50[$t]}" -v b="${P50[direct]}" 'BEGIN{printf "%.2f", a-b}') / +$(awk -v a="${P99[$t]}" -v b="${P99[direct]}" 'BEGIN{printf "%.2f", a-b}')"
    echo "| $round | $t | $rps | ${P50[$t]} | ${P99[$t]} | $added | $cpu" >>"$report"
  done
done
cat "$report"
llmproxy_log "report: $report"
