#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/../infra/local
# Benchmark harness: the same load against the upstream simulator directly and through
# proxy-edge, in one run, so that the edge's added latency is the difference.  See
# bench/README.md.  Start the stack first:   infra/local/up.sh && bench/run.sh
#
# Scenarios (BENCH_SCENARIOS, default "rate quota stream memory max"; also "paths"):
#   rate    non-stream chat completions at a fixed rate (hey): p50/p90/p99/max, rps, errors
#   paths   the same per translation path, at a lower fixed rate: the OpenAI client format to each
#           provider type (openai, azure-openai, anthropic, mistral, ollama, cohere), and the
#           Anthropic and Ollama client formats to the openai provider; each against the same
#           provider-format request sent straight to the simulator
#   quota   the same through the edge with the key of a second tenant that has a tenant- and a
#           key-level quota policy which never refuses: what the quota check (2 Lua calls) adds
#   stream  N streamed chat completions, C at a time (bench/StreamBench.java): TTFB, TTFT, total
#   memory  many long concurrent streams through the edge: its RSS before / at peak / after
#   max     closed-loop maximum throughput (wrk)
#
# Environment (all optional):
#   BENCH_DURATION=20            measured seconds of each fixed-rate run
#   BENCH_WARMUP=5               warm-up seconds before each fixed-rate run
#   BENCH_RATE=1000              requests/s of the fixed-rate runs
#   BENCH_CONNECTIONS=10         hey workers (each sends BENCH_RATE/BENCH_CONNECTIONS req/s)
#   BENCH_STREAMS=2000           streams of the stream scenario (per target)
#   BENCH_STREAM_CONCURRENCY=200 streams open at a time in the stream scenario
#   BENCH_LIGHT_STREAMS=300 / BENCH_LIGHT_CONCURRENCY=10   the stream scenario's light-load run
#                                (run first; the TTFT verdict uses it)
#   BENCH_STREAM_TTFT_MS=50      simulator time to first token for the stream scenarios
#   BENCH_STREAM_INTER_TOKEN_MS=5  simulator delay between tokens for the stream scenario
#   BENCH_MEM_STREAMS=2000       concurrent streams of the memory scenario
#   BENCH_MEM_STREAM_SECONDS=10  how long each of those streams lasts (approximately)
#   BENCH_MEM_RAMP_SECONDS=5     their starts are spread over this many seconds (default: half)
#   BENCH_MAX_DURATION=10        seconds of each wrk run; BENCH_MAX_CONNECTIONS=32
#   BENCH_PRIME_REQUESTS=40000   unmeasured closed-loop requests to each target first (JIT warm-up)
#   BENCH_PATHS_RATE=300         requests/s of each paths run (direct and edge, per path)
#   BENCH_PATHS_DURATION=10      measured seconds of each paths run
#   BENCH_PATHS_WARMUP=3         warm-up seconds before each paths run (same rate)
#   BENCH_PATHS_CONNECTIONS=10   hey workers of the paths runs
#   BENCH_PATHS_PRIME=5000       unmeasured closed-loop requests to each path's two targets first
#   BENCH_PATHS="openai azure-openai anthropic mistral ollama cohere client-anthropic client-ollama client-responses"
#                                which paths the paths scenario measures (that order)
#   BENCH_START=1                start the stack with infra/local/up.sh when it is not healthy
#   BENCH_KEY_WAIT=10            seconds to wait for the edge to accept the new key/routes
#   BENCH_STREAM_SIM_PORT=5101 / BENCH_SLOW_SIM_PORT=5102   ports of the two extra simulators
#   BENCH_RESULTS_DIR            where the markdown report goes (bench/results)
#   LLMPROXY_ADMIN_TOKEN         admin token (default: infra/local/.state/admin-token)
#   LLMPROXY_EDGE_PORT / _COMMAND_PORT / _SIMULATOR_PORT   (5000 / 5001 / 5100)
#   LLMPROXY_REDIS_HOST / _PORT  the edge's Redis (127.0.0.1 / 6379), read with redis-cli (INFO,
#                                SCAN) for the quota scenario's Redis figures when redis-cli exists
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=lib.sh
source "$BENCH_DIR/../infra/local/lib.sh"
ROOT="$LLMPROXY_ROOT"

DURATION="${BENCH_DURATION:-20}"
WARMUP="${BENCH_WARMUP:-5}"
RATE="${BENCH_RATE:-1000}"
CONNS="${BENCH_CONNECTIONS:-10}"
STREAMS="${BENCH_STREAMS:-2000}"
STREAM_CONC="${BENCH_STREAM_CONCURRENCY:-200}"
LIGHT_STREAMS="${BENCH_LIGHT_STREAMS:-300}"
LIGHT_CONC="${BENCH_LIGHT_CONCURRENCY:-10}"
STREAM_TTFT="${BENCH_STREAM_TTFT_MS:-50}"
STREAM_ITL="${BENCH_STREAM_INTER_TOKEN_MS:-5}"
MEM_STREAMS="${BENCH_MEM_STREAMS:-2000}"
MEM_SECONDS="${BENCH_MEM_STREAM_SECONDS:-10}"
MEM_RAMP="${BENCH_MEM_RAMP_SECONDS:-$((MEM_SECONDS / 2))}"
MAX_DURATION="${BENCH_MAX_DURATION:-10}"
MAX_CONNS="${BENCH_MAX_CONNECTIONS:-32}"
PRIME="${BENCH_PRIME_REQUESTS:-40000}"
PATHS_RATE="${BENCH_PATHS_RATE:-300}"
PATHS_DURATION="${BENCH_PATHS_DURATION:-10}"
PATHS_WARMUP="${BENCH_PATHS_WARMUP:-3}"
PATHS_CONNS="${BENCH_PATHS_CONNECTIONS:-10}"
PATHS_PRIME="${BENCH_PATHS_PRIME:-5000}"
ALL_PATHS="openai azure-openai anthropic mistral ollama cohere client-anthropic client-ollama client-responses"
read -r -a PATH_LIST <<<"${BENCH_PATHS:-$ALL_PATHS}"
read -r -a SCENARIO_LIST <<<"${BENCH_SCENARIOS:-rate quota stream memory max}"
SCENARIOS=" ${SCENARIO_LIST[*]} "
KEY_WAIT="${BENCH_KEY_WAIT:-10}"
STREAM_SIM_PORT="${BENCH_STREAM_SIM_PORT:-5101}"
SLOW_SIM_PORT="${BENCH_SLOW_SIM_PORT:-5102}"
RESULTS_DIR="${BENCH_RESULTS_DIR:-$BENCH_DIR/results}"
EDGE_PORT="${LLMPROXY_EDGE_PORT:-5000}"
COMMAND_PORT="${LLMPROXY_COMMAND_PORT:-5001}"
SIM_PORT="${LLMPROXY_SIMULATOR_PORT:-5100}"
EDGE_URL="http://127.0.0.1:$EDGE_PORT"
COMMAND_URL="http://127.0.0.1:$COMMAND_PORT"
SIM_URL="http://127.0.0.1:$SIM_PORT"
SIM_KEY="sk-bench"
REDIS_HOST="${LLMPROXY_REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${LLMPROXY_REDIS_PORT:-6379}"
# the quota scenario's policies: high enough never to refuse at BENCH_RATE, so every call pays the check
QUOTA_TENANT_POLICY='{"requestsPerMinute":100000000,"tokensPerMinute":1000000000000,"maxConcurrentRequests":100000}'
QUOTA_KEY_POLICY='{"tokensPerDay":1000000000000}'
UPSTREAM_MODEL="sim-bench"

for n in DURATION WARMUP RATE CONNS STREAMS STREAM_CONC LIGHT_STREAMS LIGHT_CONC STREAM_TTFT STREAM_ITL MEM_STREAMS MEM_SECONDS MEM_RAMP \
  MAX_DURATION MAX_CONNS PRIME KEY_WAIT STREAM_SIM_PORT SLOW_SIM_PORT PATHS_RATE PATHS_DURATION PATHS_WARMUP PATHS_CONNS PATHS_PRIME; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || { printf '[bench] ERROR: %s must be a whole number, was "%s"\n' "$n" "${!n}" >&2; exit 2; }
done
for n in PATHS_RATE PATHS_DURATION PATHS_CONNS; do
  ((${!n} > 0)) || { printf '[bench] ERROR: %s must be at least 1\n' "$n" >&2; exit 2; }
done
for s in $SCENARIOS; do
  [[ " rate quota stream memory max paths " == *" $s "* ]] || { printf '[bench] ERROR: unknown scenario %s (rate quota stream memory max paths)\n' "$s" >&2; exit 2; }
done
((${#PATH_LIST[@]} > 0)) || { printf '[bench] ERROR: BENCH_PATHS is empty (%s)\n' "$ALL_PATHS" >&2; exit 2; }
for s in "${PATH_LIST[@]}"; do
  [[ " $ALL_PATHS " == *" $s "* ]] || { printf '[bench] ERROR: unknown path %s in BENCH_PATHS (%s)\n' "$s" "$ALL_PATHS" >&2; exit 2; }
done
wants() { [[ "$SCENARIOS" == *" $1 "* ]]; }

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
  printf '[bench] ERROR: %s\n' "$*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

TS="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/llmproxy-bench.XXXXXX")"
EXTRA_PIDS=()
SAMPLER_PID=""
COMMANDS=()   # the exact load commands, for the report

cleanup() {
  local rc=$? pid
  if [[ -n "$SAMPLER_PID" ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
  fi
  for pid in ${EXTRA_PIDS[@]+"${EXTRA_PIDS[@]}"}; do
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping the extra simulator (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if ((rc == 0)); then
    rm -rf "$WORK"
  else
    log "failed (exit $rc); raw outputs and logs kept in $WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers
# (under up.sh --prometheus the edge serves its actuator on LLMPROXY_EDGE_MANAGEMENT_PORT, 5090)
health_up() {
  curl -fsS --max-time 3 "http://127.0.0.1:$1/actuator/health" 2>/dev/null | grep -q '"status" *: *"UP"' \
    || { [[ "$1" == "${EDGE_PORT:-5000}" ]] && curl -fsS --max-time 3 "http://127.0.0.1:${LLMPROXY_EDGE_MANAGEMENT_PORT:-5090}/actuator/health" \
           2>/dev/null | grep -q '"status" *: *"UP"'; }
}

json_get() {
  if have jq; then
    jq -r --arg f "$1" '.[$f] // empty'
  else
    python3 -c 'import json,sys
v = json.load(sys.stdin).get(sys.argv[1])
print("" if v is None else v)' "$1"
  fi
}

# admin METHOD PATH BODY: prints the response body; dies unless 2xx.
admin() {
  local method="$1" path="$2" body="$3" out code
  out="$WORK/admin.out"
  code="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$COMMAND_URL$path" \
    -H "Authorization: Bearer $LLMPROXY_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    --data-binary "$body" || true)"
  [[ "$code" == 2?? ]] || die "$method $path -> HTTP ${code:-000}: $(cat "$out" 2>/dev/null)"
  cat "$out"
}

# chat_status URL KEY MODEL [EXTRA_JSON]: HTTP status of one small chat completion.
chat_status() {
  curl -sS -o "$WORK/chat.out" -w '%{http_code}' --max-time 20 "$1/v1/chat/completions" \
    -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    -d "{\"model\":\"$3\",\"messages\":[{\"role\":\"user\",\"content\":\"bench probe\"}]${4:-}}" 2>/dev/null || true
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# diff_ms A B -> A - B with 2 decimals ("-" when either is missing)
diff_ms() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "") print "-"; else printf "%+.2f", a - b }'
}
# verdict VALUE LIMIT -> "meets" / "misses"
verdict() {
  awk -v v="$1" -v l="$2" 'BEGIN { if (v == "-" || v == "") print "n/a"; else if (v + 0 <= l + 0) print "meets"; else print "misses" }'
}

# ---------------------------------------------------------------- 1. stack
llmproxy_pick_jdk >/dev/null 2>&1 || die "a JDK 21+ is needed for bench/StreamBench.java (see infra/local/up.sh)"
have curl || die "curl is needed"
have jq || have python3 || die "jq or python3 is needed to read the admin API's JSON"

stack_healthy() {
  local port
  for port in "$SIM_PORT" "$COMMAND_PORT" "$EDGE_PORT"; do
    health_up "$port" || return 1
  done
}
if ! stack_healthy; then
  if [[ "${BENCH_START:-0}" == 1 ]]; then
    log "the stack is not healthy: BENCH_START=1, starting it with infra/local/up.sh"
    "$ROOT/infra/local/up.sh" >&2 || die "infra/local/up.sh failed"
    stack_healthy || die "the stack is still not healthy after infra/local/up.sh"
  else
    die "the stack is not running or not healthy (simulator :$SIM_PORT, command-side :$COMMAND_PORT, proxy-edge :$EDGE_PORT).
  Start it first:  infra/local/up.sh && bench/run.sh     (or: BENCH_START=1 bench/run.sh)"
  fi
fi
EDGE_PID="$(llmproxy_service_pid proxy-edge || true)"
[[ -n "$EDGE_PID" ]] || log "proxy-edge's pid is unknown (no infra/local/.state/pids/proxy-edge.pid): no memory figures"
EDGE_RSS_START="$([[ -n "$EDGE_PID" ]] && rss_kb "$EDGE_PID" || echo 0)"
EDGE_UPTIME="$([[ -n "$EDGE_PID" ]] && ps -o etimes= -p "$EDGE_PID" 2>/dev/null | tr -d ' ' || echo '?')"

if [[ -z "${LLMPROXY_ADMIN_TOKEN:-}" ]]; then
  token_file="$LLMPROXY_STATE_DIR/admin-token"
  [[ -s "$token_file" ]] || die "LLMPROXY_ADMIN_TOKEN is not set and $token_file does not exist (run infra/local/up.sh first)"
  LLMPROXY_ADMIN_TOKEN="$(tr -d '[:space:]' <"$token_file")"
fi

# ---------------------------------------------------------------- 2. load tools
install_tools() {
  if [[ "$(id -u)" != 0 ]]; then
    die "$* missing and this is not root: install them (Debian/Ubuntu: sudo apt-get install -y hey wrk) and run again"
  fi
  have apt-get || die "$* missing and there is no apt-get: install hey (and wrk) yourself and run again"
  log "installing $* with apt-get"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$WORK/apt.log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$WORK/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$WORK/apt.log" 2>&1 \
      || die "apt-get install -y $* failed (see $WORK/apt.log): install them yourself and run again"
  fi
}
missing=()
{ wants rate || wants quota || wants paths || ((PRIME > 0)); } && ! have hey && missing+=(hey)
wants max && ! have wrk && missing+=(wrk)
((${#missing[@]} == 0)) || install_tools "${missing[@]}"

log "compiling bench/StreamBench.java"
"$JAVA_HOME/bin/javac" -d "$WORK/classes" "$BENCH_DIR/StreamBench.java" || die "javac bench/StreamBench.java failed"
STREAM_CLIENT=("$JAVA_HOME/bin/java" -Xms256m -Xmx1g -cp "$WORK/classes" StreamBench)

# ---------------------------------------------------------------- 3. prompt, extra simulators
# The simulator's answer length is fixed by the prompt (8..47 tokens): pick the longest of a few.
PROMPT="" TOKENS=0
for i in $(seq 0 39); do
  p="bench prompt $i"
  t="$(curl -sS --max-time 5 "$SIM_URL/v1/chat/completions" -H "Authorization: Bearer $SIM_KEY" \
    -H 'Content-Type: application/json' \
    -d "{\"model\":\"$UPSTREAM_MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"$p\"}]}" \
    | grep -o '"completion_tokens":[0-9]*' | head -n 1 | cut -d: -f2 || true)"
  if [[ -n "$t" ]] && ((t > TOKENS)); then
    PROMPT="$p" TOKENS="$t"
  fi
  ((TOKENS >= 45)) && break
done
((TOKENS > 0)) || die "the simulator at $SIM_URL did not answer a chat completion"
SLOW_ITL=$(((MEM_SECONDS * 1000 + TOKENS - 1) / TOKENS))
log "prompt \"$PROMPT\": $TOKENS completion tokens"
CHAT_BODY_DIRECT="{\"model\":\"$UPSTREAM_MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"$PROMPT\"}]}"
CHAT_BODY_EDGE="{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"$PROMPT\"}]}"

SIM_JAR=""
for jar in "$ROOT"/infra/upstream-simulator/target/upstream-simulator-*-exec.jar "$LLMPROXY_STATE_DIR/run/upstream-simulator.jar"; do
  [[ -f "$jar" ]] && { SIM_JAR="$jar"; break; }
done

# start_sim PORT TTFT ITL: a second simulator with other default latencies (the edge does not
# forward the client's x-sim-* headers, so the knobs must be the simulator's own defaults).
start_sim() {
  local port="$1" ttft="$2" itl="$3" pid
  [[ -n "$SIM_JAR" ]] || die "no simulator jar (infra/upstream-simulator/target/*-exec.jar): build with mvn -DskipTests package"
  llmproxy_port_open 127.0.0.1 "$port" && die "port $port is in use: set BENCH_STREAM_SIM_PORT / BENCH_SLOW_SIM_PORT"
  [[ -f "$WORK/sim.jar" ]] || cp "$SIM_JAR" "$WORK/sim.jar"
  (
    cd "$WORK"
    exec "$JAVA_HOME/bin/java" -Xmx256m -Dllmproxy.bench=sim-"$port" -jar "$WORK/sim.jar" \
      --server.port="$port" --simulator.ttft-ms="$ttft" --simulator.inter-token-ms="$itl" \
      </dev/null >"$WORK/sim-$port.log" 2>&1
  ) &
  pid=$!
  EXTRA_PIDS+=("$pid")
  COMMANDS+=("java -Xmx256m -jar $(basename "$SIM_JAR") --server.port=$port --simulator.ttft-ms=$ttft --simulator.inter-token-ms=$itl")
  log "simulator on :$port (ttft ${ttft} ms, inter-token ${itl} ms) starting, pid $pid"
}
wait_sim() {
  local port="$1" deadline=$((SECONDS + 90))
  until health_up "$port"; do
    ((SECONDS < deadline)) || { llmproxy_tail_log "$WORK/sim-$port.log" 40; die "the simulator on :$port did not come up"; }
    sleep 1
  done
}
STREAM_SIM_PID="" SLOW_SIM_PID=""
if wants stream; then start_sim "$STREAM_SIM_PORT" "$STREAM_TTFT" "$STREAM_ITL"; STREAM_SIM_PID="${EXTRA_PIDS[-1]}"; fi
if wants memory; then start_sim "$SLOW_SIM_PORT" "$STREAM_TTFT" "$SLOW_ITL"; SLOW_SIM_PID="${EXTRA_PIDS[-1]}"; fi

# ---------------------------------------------------------------- 4. tenant, providers, routes, key
log "creating tenant, providers, routes and an API key (suffix $TS)"
TENANT_ID="$(admin POST /admin/v1/tenants "{\"name\":\"bench-$TS\"}" | json_get tenantId)"
[[ -n "$TENANT_ID" ]] || die "no tenantId"
# provider NAME PORT -> providerId; route ALIAS PROVIDER_ID
provider() {
  admin POST /admin/v1/providers \
    "{\"name\":\"$1-$TS\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:$2/v1\",\"apiKey\":\"$SIM_KEY\"}" \
    | json_get providerId
}
route() {
  admin PUT "/admin/v1/routes/$1" "{\"targets\":[{\"providerId\":\"$2\",\"model\":\"$UPSTREAM_MODEL\"}]}" >/dev/null
}
P_MAIN="$(provider bench-sim "$SIM_PORT")"
[[ -n "$P_MAIN" ]] || die "no providerId"
route bench-model "$P_MAIN"
if wants stream; then
  P_STREAM="$(provider bench-sim-stream "$STREAM_SIM_PORT")"
  route bench-stream "$P_STREAM"
fi
if wants memory; then
  P_SLOW="$(provider bench-sim-slow "$SLOW_SIM_PORT")"
  route bench-slow "$P_SLOW"
fi
# Paths scenario: one provider of each type, all on the simulator (:SIM_PORT, which speaks each
# provider's wire format), each with a route bench-path-<type> to the upstream model sim-bench
# (for azure-openai: the deployment). The client-format paths use bench-model (openai provider).
declare -A PATH_BASE_URL=([openai]="$SIM_URL/v1" [azure-openai]="$SIM_URL" [anthropic]="$SIM_URL"
  [mistral]="$SIM_URL/mistral/v1" [ollama]="$SIM_URL" [cohere]="$SIM_URL")
OLLAMA_PROVIDER_KEY="" PATHS_SETUP_NOTE=""
wants_path() { [[ " ${PATH_LIST[*]} " == *" $1 "* ]]; }
if wants paths; then
  for t in openai azure-openai anthropic mistral ollama cohere; do
    wants_path "$t" || continue
    key="$SIM_KEY"
    if [[ "$t" == ollama ]]; then
      # Ollama has no auth: register it with apiKey "" (then the edge sends no Authorization);
      # if the admin API refuses an empty key, fall back to a placeholder and say so in the report.
      code="$(curl -sS -o "$WORK/admin.out" -w '%{http_code}' -X POST "$COMMAND_URL/admin/v1/providers" \
        -H "Authorization: Bearer $LLMPROXY_ADMIN_TOKEN" -H 'Content-Type: application/json' \
        --data-binary "{\"name\":\"bench-path-ollama-$TS\",\"type\":\"ollama\",\"baseUrl\":\"${PATH_BASE_URL[ollama]}\",\"apiKey\":\"\"}" || true)"
      if [[ "$code" == 2?? ]]; then
        pid="$(json_get providerId <"$WORK/admin.out")"
      else
        OLLAMA_PROVIDER_KEY="ollama-no-auth"
        PATHS_SETUP_NOTE="The admin API refused the ollama provider with \`\"apiKey\":\"\"\` (HTTP $code: $(tr -d '\n' <"$WORK/admin.out" | cut -c1-200)), so it was registered with the placeholder key \`$OLLAMA_PROVIDER_KEY\`: the edge then sends \`Authorization: Bearer $OLLAMA_PROVIDER_KEY\` to the simulator (which ignores it), and the direct ollama request carries the same header."
        log "paths: $PATHS_SETUP_NOTE"
        pid="$(admin POST /admin/v1/providers "{\"name\":\"bench-path-ollama-$TS\",\"type\":\"ollama\",\"baseUrl\":\"${PATH_BASE_URL[ollama]}\",\"apiKey\":\"$OLLAMA_PROVIDER_KEY\"}" | json_get providerId)"
      fi
    else
      pid="$(admin POST /admin/v1/providers "{\"name\":\"bench-path-$t-$TS\",\"type\":\"$t\",\"baseUrl\":\"${PATH_BASE_URL[$t]}\",\"apiKey\":\"$key\"}" | json_get providerId)"
    fi
    [[ -n "$pid" ]] || die "no providerId (paths, type $t)"
    route "bench-path-$t" "$pid"
  done
fi
API_KEY="$(admin POST "/admin/v1/tenants/$TENANT_ID/api-keys" '{"name":"bench"}' | json_get key)"
[[ -n "$API_KEY" ]] || die "no API key in the response"

# The edge learns of the key and routes from its snapshot poller: retry 401/404 briefly.
# wait_edge_model MODEL [EXTRA_JSON [KEY]]
wait_edge_model() {
  local model="$1" extra="${2:-}" key="${3:-$API_KEY}" deadline=$((SECONDS + KEY_WAIT)) code
  while :; do
    code="$(chat_status "$EDGE_URL" "$key" "$model" "$extra")"
    [[ "$code" == 200 ]] && return 0
    if [[ "$code" != 401 && "$code" != 404 ]] || ((SECONDS >= deadline)); then
      die "the edge answers HTTP ${code:-000} for model $model: $(cat "$WORK/chat.out" 2>/dev/null)"
    fi
    sleep 0.25
  done
}
wait_edge_model bench-model
if wants stream; then wait_sim "$STREAM_SIM_PORT"; wait_edge_model bench-stream ',"max_tokens":1'; fi
if wants memory; then wait_sim "$SLOW_SIM_PORT"; wait_edge_model bench-slow ',"max_tokens":1'; fi
log "the edge accepts the key; routes bench-model${P_STREAM:+, bench-stream}${P_SLOW:+, bench-slow} work"

# path_def PATH: the path's two requests. Sets PD_LABEL, PD_D_URL, PD_D_HDRS (array), PD_D_BODY
# (straight to the simulator, in the provider's own wire format, as the edge sends it) and PD_E_URL,
# PD_E_HDRS, PD_E_BODY (to the edge, in the client's format).
path_def() {
  local msgs="\"messages\":[{\"role\":\"user\",\"content\":\"$PROMPT\"}]"
  PD_E_URL="$EDGE_URL/v1/chat/completions" PD_E_HDRS=("Authorization: Bearer $API_KEY")
  PD_E_BODY="{\"model\":\"bench-path-$1\",$msgs}"
  PD_D_URL="$SIM_URL/v1/chat/completions" PD_D_HDRS=("Authorization: Bearer $SIM_KEY")
  PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",$msgs}"
  case "$1" in
    openai) PD_LABEL="OpenAI client → openai" ;;
    azure-openai)
      PD_LABEL="OpenAI client → azure-openai"
      PD_D_URL="$SIM_URL/openai/deployments/$UPSTREAM_MODEL/chat/completions?api-version=2024-10-21"
      PD_D_HDRS=("api-key: $SIM_KEY") ;;
    anthropic)
      PD_LABEL="OpenAI client → anthropic"
      PD_D_URL="$SIM_URL/v1/messages" PD_D_HDRS=("x-api-key: $SIM_KEY" "anthropic-version: 2023-06-01")
      PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",\"max_tokens\":4096,$msgs}" ;; # the edge's default max_tokens
    mistral)
      PD_LABEL="OpenAI client → mistral"
      PD_D_URL="$SIM_URL/mistral/v1/chat/completions" ;;
    ollama)
      PD_LABEL="OpenAI client → ollama"
      PD_D_URL="$SIM_URL/api/chat" PD_D_HDRS=()
      [[ -z "$OLLAMA_PROVIDER_KEY" ]] || PD_D_HDRS=("Authorization: Bearer $OLLAMA_PROVIDER_KEY")
      PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",$msgs,\"stream\":false}" ;;
    cohere)
      PD_LABEL="OpenAI client → cohere"
      PD_D_URL="$SIM_URL/v2/chat"
      PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",$msgs,\"stream\":false}" ;;
    client-anthropic)
      PD_LABEL="Anthropic client (/v1/messages) → openai"
      PD_E_URL="$EDGE_URL/v1/messages" PD_E_HDRS=("x-api-key: $API_KEY" "anthropic-version: 2023-06-01")
      PD_E_BODY="{\"model\":\"bench-model\",\"max_tokens\":1024,$msgs}" ;;
    client-ollama)
      PD_LABEL="Ollama client (/api/chat) → openai"
      PD_E_URL="$EDGE_URL/api/chat"
      PD_E_BODY="{\"model\":\"bench-model\",$msgs,\"stream\":false}" ;;
    client-responses)
      PD_LABEL="OpenAI Responses client (/v1/responses, store:false) → openai"
      PD_E_URL="$EDGE_URL/v1/responses" PD_E_HDRS=("Authorization: Bearer $API_KEY")
      PD_E_BODY="{\"model\":\"bench-model\",\"max_output_tokens\":1024,\"store\":false,\"input\":${msgs#*:}}" ;;
    *) die "unknown path $1" ;;
  esac
}
# path_probe URL BODY [HEADER...]: "<HTTP status> <answer tokens>" of one request; the tokens are
# the first completion_tokens / output_tokens / eval_count in the answer ("-" when none)
path_probe() {
  local url="$1" body="$2" h code tokens
  shift 2
  local hargs=()
  for h in "$@"; do hargs+=(-H "$h"); done
  code="$(curl -sS -o "$WORK/probe.out" -w '%{http_code}' --max-time 20 -X POST "$url" -H 'Content-Type: application/json' \
    ${hargs[@]+"${hargs[@]}"} --data-binary "$body" 2>/dev/null || true)"
  tokens="$(grep -o '"\(completion_tokens\|output_tokens\|eval_count\)" *: *[0-9]*' "$WORK/probe.out" 2>/dev/null \
    | head -n 1 | grep -o '[0-9]*$' || true)"
  echo "${code:-000} ${tokens:--}"
}
# Each path: the edge must know its route (401/404 are retried, as above), and both of its requests
# must answer 200 before any load. A path that fails here is reported as failed, not measured.
declare -A PATH_FAILED=() PATH_TOKENS=()
if wants paths; then
  for n in "${PATH_LIST[@]}"; do
    path_def "$n"
    deadline=$((SECONDS + KEY_WAIT))
    while :; do
      read -r e_code e_tok <<<"$(path_probe "$PD_E_URL" "$PD_E_BODY" "${PD_E_HDRS[@]}")"
      [[ "$e_code" == 200 ]] && break
      if [[ "$e_code" != 401 && "$e_code" != 404 ]] || ((SECONDS >= deadline)); then break; fi
      sleep 0.25
    done
    read -r d_code d_tok <<<"$(path_probe "$PD_D_URL" "$PD_D_BODY" ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"})"
    if [[ "$e_code" != 200 || "$d_code" != 200 ]]; then
      PATH_FAILED[$n]="direct HTTP $d_code, edge HTTP $e_code"
      [[ "$e_code" == 200 ]] || PATH_FAILED[$n]+=": $(path_probe "$PD_E_URL" "$PD_E_BODY" "${PD_E_HDRS[@]}" >/dev/null; tr -d '\n' <"$WORK/probe.out" | cut -c1-200)"
      log "paths: $n does not work (${PATH_FAILED[$n]}); it will not be measured"
      continue
    fi
    PATH_TOKENS[$n]="$d_tok / $e_tok"
    log "paths: $n answers 200 direct and through the edge (answer tokens direct / edge: ${PATH_TOKENS[$n]})"
  done
fi

# redis_cli ARGS...: the edge's Redis, read-only uses (INFO, SCAN); fails when redis-cli is missing
redis_cli() { have redis-cli && redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@" 2>/dev/null; }

# Quota scenario: a second tenant and key, a key-level policy and then a tenant-level one. The
# edge's snapshot applies read-model changes in order, so once the tenant policy is enforced (a
# response carries x-ratelimit-limit-requests), the key policy set before it is too; with
# redis-cli, its counter (llmq:{tenant}:API_KEY:<id>:tpd:<day>) is also waited for.
QUOTA_API_KEY="" QUOTA_TENANT_ID="" QUOTA_KEY_ID="" QUOTA_WAIT_S="" QUOTA_PROBE_HEADERS="" QUOTA_KEY_COUNTER=""
if wants quota; then
  log "quota: a second tenant with a tenant-level and a key-level quota policy"
  QUOTA_TENANT_ID="$(admin POST /admin/v1/tenants "{\"name\":\"bench-$TS-quota\"}" | json_get tenantId)"
  [[ -n "$QUOTA_TENANT_ID" ]] || die "no tenantId (quota tenant)"
  admin POST "/admin/v1/tenants/$QUOTA_TENANT_ID/api-keys" '{"name":"bench-quota"}' >"$WORK/quota-key.json"
  QUOTA_KEY_ID="$(json_get apiKeyId <"$WORK/quota-key.json")"
  QUOTA_API_KEY="$(json_get key <"$WORK/quota-key.json")"
  [[ -n "$QUOTA_KEY_ID" && -n "$QUOTA_API_KEY" ]] || die "no apiKeyId/key in the response (quota tenant)"
  quota_t0=$SECONDS
  admin PUT "/admin/v1/tenants/$QUOTA_TENANT_ID/api-keys/$QUOTA_KEY_ID/quota" "$QUOTA_KEY_POLICY" >/dev/null
  admin PUT "/admin/v1/tenants/$QUOTA_TENANT_ID/quota" "$QUOTA_TENANT_POLICY" >/dev/null
  COMMANDS+=("curl -X PUT $COMMAND_URL/admin/v1/tenants/<quota tenant>/api-keys/<its key>/quota -d '$QUOTA_KEY_POLICY'   # admin bearer token"
    "curl -X PUT $COMMAND_URL/admin/v1/tenants/<quota tenant>/quota -d '$QUOTA_TENANT_POLICY'")
  wait_edge_model bench-model "" "$QUOTA_API_KEY"
  deadline=$((SECONDS + KEY_WAIT))
  while :; do
    code="$(curl -sS -D "$WORK/quota-probe.headers" -o "$WORK/chat.out" -w '%{http_code}' --max-time 20 \
      "$EDGE_URL/v1/chat/completions" -H "Authorization: Bearer $QUOTA_API_KEY" -H 'Content-Type: application/json' \
      -d "$CHAT_BODY_EDGE" 2>/dev/null || true)"
    [[ "$code" == 200 ]] || die "quota: the edge answers HTTP ${code:-000} for the quota tenant's key: $(cat "$WORK/chat.out" 2>/dev/null)"
    if grep -qi '^x-ratelimit-limit-requests:' "$WORK/quota-probe.headers"; then
      if ! have redis-cli; then break; fi
      QUOTA_KEY_COUNTER="$(redis_cli --scan --pattern "llmq:{$QUOTA_TENANT_ID}:API_KEY:$QUOTA_KEY_ID:tpd:*" | head -n 1 || true)"
      [[ -n "$QUOTA_KEY_COUNTER" ]] && break
    fi
    ((SECONDS < deadline)) || die "quota: the edge does not enforce the quota policies after ${KEY_WAIT}s (no x-ratelimit-limit-requests header$(have redis-cli && echo ' or no key-level counter in Redis'))"
    sleep 0.25
  done
  QUOTA_WAIT_S=$((SECONDS - quota_t0))
  QUOTA_PROBE_HEADERS="$(grep -i '^x-ratelimit-' "$WORK/quota-probe.headers" | tr -d '\r' | sort | paste -sd ';' | sed 's/;/; /g')"
  log "quota: enforced within ${QUOTA_WAIT_S}s of the PUTs ($QUOTA_PROBE_HEADERS)${QUOTA_KEY_COUNTER:+; key-level counter $QUOTA_KEY_COUNTER}"
fi

# ---------------------------------------------------------------- 5. scenarios
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# cpu_ticks PID: user+system CPU time of the process, in clock ticks (0 when unknown)
cpu_ticks() {
  [[ -n "${1:-}" ]] || { echo 0; return; }
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# cpu_per_req TICKS0 TICKS1 N1 N2: CPU µs per request over N1 + N2 requests
cpu_per_req() {
  awk -v a="$1" -v b="$2" -v n="$(($3 + $4))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { if (n > 0 && b > 0) printf "%.0f", (b - a) * 1e6 / hz / n; else print "-" }'
}
# edge_jvm: "heap-committed heap-used non-heap-used" MB and live threads, from the edge's actuator
edge_jvm() {
  local q v out=""
  for q in 'jvm.memory.committed?tag=area:heap' 'jvm.memory.used?tag=area:heap' 'jvm.memory.used?tag=area:nonheap' \
    'jvm.threads.live'; do
    v="$(curl -s --max-time 3 "$EDGE_URL/actuator/metrics/$q" 2>/dev/null \
      | grep -o '"value" *: *[0-9.eE+-]*' | head -n 1 | sed 's/.*: *//' || true)"
    if [[ "$q" == jvm.threads.live ]]; then
      out+="$(awk -v b="${v:-0}" 'BEGIN { printf "%.0f", b }')"
    else
      out+="$(awk -v b="${v:-0}" 'BEGIN { printf "%.0f", b / 1048576 }') "
    fi
  done
  echo "$out"
}
# mem_mid_snapshot: the edge's RSS and JVM figures once all memory-scenario streams are open, i.e.
# once the edge holds ~2 sockets per stream (client side + upstream side); gives up after 120 s
mem_mid_snapshot() {
  local deadline=$((SECONDS + 120)) want=$((MEM_STREAMS * 19 / 10))
  while ((SECONDS < deadline)); do
    (($(find "/proc/$EDGE_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) >= want)) && break
    sleep 0.2
  done
  sleep 1
  printf '%s %s\n' "$(rss_kb "$EDGE_PID")" "$(edge_jvm)" >"$WORK/jvm-mid"
}

# hey_parse_n NAME: number of responses in $WORK/hey-NAME.txt (0 when absent)
hey_parse_n() {
  [[ -f "$WORK/hey-$1.txt" ]] || { echo 0; return; }
  awk '/\[[0-9]+\][[:space:]]+[0-9]+ responses/ { n += $2 } END { print n + 0 }' "$WORK/hey-$1.txt"
}

# hey_run NAME URL KEY BODY: warm-up, then the measured run; output in $WORK/hey-NAME.txt
QPS="$(awk -v r="$RATE" -v c="$CONNS" 'BEGIN { q = r / c; if (q == int(q)) printf "%d", q; else printf "%.3f", q }')"
hey_run() {
  local name="$1" url="$2" key="$3" body="$4"
  local args=(-c "$CONNS" -q "$QPS" -t 10 -m POST -T application/json -H "Authorization: Bearer $key" -d "$body" "$url")
  log "rate/$name: warm-up ${WARMUP}s, then ${DURATION}s at $RATE req/s ($CONNS workers x $QPS req/s)"
  if ((WARMUP > 0)); then
    hey -z "${WARMUP}s" "${args[@]}" >"$WORK/hey-$name-warmup.txt" 2>&1 || true
  fi
  COMMANDS+=("hey -z ${DURATION}s -c $CONNS -q $QPS -t 10 -m POST -T application/json -H 'Authorization: Bearer ${key:0:8}...' -d '$body' $url")
  hey -z "${DURATION}s" "${args[@]}" >"$WORK/hey-$name.txt" 2>&1 || die "hey failed: $(tail -5 "$WORK/hey-$name.txt")"
}
# hey_parse NAME -> "rps p50 p90 p99 max total errors" (ms)
hey_parse() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    /Slowest:/ { max = $2 * 1000 }
    /^ *50% in/ { p50 = $3 * 1000 }
    /^ *90% in/ { p90 = $3 * 1000 }
    /^ *99% in/ { p99 = $3 * 1000 }
    /^Status code distribution:/ { sec = "status"; next }
    /^Error distribution:/ { sec = "error"; next }
    sec == "status" && /\[[0-9]+\]/ { n = $2 + 0; total += n; if ($1 != "[200]") bad += n }
    sec == "error" && /\[[0-9]+\]/ { gsub(/[\[\]]/, "", $1); errs += $1 }
    END { printf "%.1f %.2f %.2f %.2f %.2f %d %d\n", rps, p50, p90, p99, max, total + errs, bad + errs }
  ' "$WORK/hey-$1.txt"
}

# Prime: the edge's JIT needs tens of thousands of requests before its cost per request settles
# (measured on 2 busy cores: ~0.8-1 ms CPU/request cold, ~0.5-0.7 ms after 20k, ~0.35 ms after
# ~100k), far more than a few seconds of warm-up.
if ((PRIME > 0)) && have hey; then
  log "prime: $PRIME closed-loop requests to the simulator, then to the edge (JIT warm-up, not measured)"
  hey -n "$PRIME" -c 8 -t 10 -m POST -T application/json -H "Authorization: Bearer $SIM_KEY" -d "$CHAT_BODY_DIRECT" \
    "$SIM_URL/v1/chat/completions" >"$WORK/prime-direct.txt" 2>&1 || true
  hey -n "$PRIME" -c 8 -t 10 -m POST -T application/json -H "Authorization: Bearer $API_KEY" -d "$CHAT_BODY_EDGE" \
    "$EDGE_URL/v1/chat/completions" >"$WORK/prime-edge.txt" 2>&1 || true
  COMMANDS+=("hey -n $PRIME -c 8 ... (prime, same requests as below, not measured)")
  if wants quota; then
    # the quota path (Redisson, the Lua calls, the rate-limit headers) needs its own JIT warm-up
    log "prime: $((PRIME / 4)) closed-loop requests to the edge with the quota tenant's key"
    hey -n "$((PRIME / 4))" -c 8 -t 10 -m POST -T application/json -H "Authorization: Bearer $QUOTA_API_KEY" -d "$CHAT_BODY_EDGE" \
      "$EDGE_URL/v1/chat/completions" >"$WORK/prime-quota.txt" 2>&1 || true
    COMMANDS+=("hey -n $((PRIME / 4)) -c 8 ... (prime with the quota tenant's key, not measured)")
  fi
fi

# hey_status FILE CODE: responses with HTTP status CODE in hey's output FILE (0 when absent)
hey_status() {
  [[ -f "$1" ]] || { echo 0; return; }
  awk -v c="[$2]" '/^Status code distribution:/ { s = 1; next } /^[A-Z]/ { s = 0 } s && $1 == c { n += $2 } END { print n + 0 }' "$1"
}
# redis_stats: "Lua calls (EVAL + EVALSHA), their µs inside Redis, Redis CPU µs" so far ("- - -" without redis-cli)
redis_stats() {
  local out
  out="$({ redis_cli info commandstats; redis_cli info cpu; } | tr -d '\r' | awk -F'[:,=]' '
    /^cmdstat_(eval|evalsha):/ { for (i = 2; i < NF; i++) { if ($i == "calls") c += $(i + 1); if ($i == "usec") u += $(i + 1) } }
    /^used_cpu_(sys|user):/ { cpu += $2; got = 1 }
    END { if (got) printf "%d %d %.0f\n", c, u, cpu * 1e6 }' || true)"
  echo "${out:-- - -}"
}
# redis_delta BEFORE AFTER N: "Lua calls per request, µs per Lua call inside Redis, Redis CPU µs per request"
redis_delta() {
  awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN {
    split(b, x, " "); split(a, y, " ")
    if (x[1] == "-" || y[1] == "-" || n <= 0) { print "- - -"; exit }
    c = y[1] - x[1]; u = y[2] - x[2]
    printf "%.2f %s %.0f\n", c / n, (c > 0 ? sprintf("%.1f", u / c) : "-"), (y[3] - x[3]) / n }'
}

RATE_ROWS="" RATE_DELTA="" QUOTA_NOTE=""
if wants rate || wants quota; then
  sim_pid="$(llmproxy_service_pid upstream-simulator || true)"
  t_sim0="$(cpu_ticks "$sim_pid")"
  hey_run direct "$SIM_URL/v1/chat/completions" "$SIM_KEY" "$CHAT_BODY_DIRECT"
  t_sim1="$(cpu_ticks "$sim_pid")" t_edge1="$(cpu_ticks "$EDGE_PID")"
  r_edge0="$(redis_stats)"
  hey_run edge "$EDGE_URL/v1/chat/completions" "$API_KEY" "$CHAT_BODY_EDGE"
  t_sim2="$(cpu_ticks "$sim_pid")" t_edge2="$(cpu_ticks "$EDGE_PID")"
  r_edge1="$(redis_stats)"
  read -r d_rps d_p50 d_p90 d_p99 d_max d_n d_err <<<"$(hey_parse direct)"
  read -r e_rps e_p50 e_p90 e_p99 e_max e_n e_err <<<"$(hey_parse edge)"
  # warm-up requests are counted too: ticks / (rate x (warm-up + measured seconds)) is close enough
  d_sim_cpu="$(cpu_per_req "$t_sim0" "$t_sim1" "$(hey_parse_n direct-warmup)" "$d_n")"
  e_sim_cpu="$(cpu_per_req "$t_sim1" "$t_sim2" "$(hey_parse_n edge-warmup)" "$e_n")"
  e_edge_cpu="$(cpu_per_req "$t_edge1" "$t_edge2" "$(hey_parse_n edge-warmup)" "$e_n")"
  read -r e_lua _ e_redis_cpu <<<"$(redis_delta "$r_edge0" "$r_edge1" $(($(hey_parse_n edge-warmup) + e_n)))"
  e_label="through proxy-edge"
  wants quota && e_label="through proxy-edge, no quota policy"
  RATE_ROWS="| simulator direct | $d_rps | $d_n | $d_p50 | $d_p90 | $d_p99 | $d_max | $d_err | $d_sim_cpu | | |
| $e_label | $e_rps | $e_n | $e_p50 | $e_p90 | $e_p99 | $e_max | $e_err | $e_sim_cpu | $e_edge_cpu | $e_lua / $e_redis_cpu |
"
  pairs=("simulator direct:$d_rps" "proxy-edge:$e_rps")
  if wants quota; then
    r_q0="$(redis_stats)"
    hey_run edge-quota "$EDGE_URL/v1/chat/completions" "$QUOTA_API_KEY" "$CHAT_BODY_EDGE"
    t_sim3="$(cpu_ticks "$sim_pid")" t_edge3="$(cpu_ticks "$EDGE_PID")"
    r_q1="$(redis_stats)"
    read -r q_rps q_p50 q_p90 q_p99 q_max q_n q_err <<<"$(hey_parse edge-quota)"
    q_warm_n="$(hey_parse_n edge-quota-warmup)"
    q_sim_cpu="$(cpu_per_req "$t_sim2" "$t_sim3" "$q_warm_n" "$q_n")"
    q_edge_cpu="$(cpu_per_req "$t_edge2" "$t_edge3" "$q_warm_n" "$q_n")"
    read -r q_lua q_lua_us q_redis_cpu <<<"$(redis_delta "$r_q0" "$r_q1" $((q_warm_n + q_n)))"
    q_429="$(hey_status "$WORK/hey-edge-quota.txt" 429)" q_429_warm="$(hey_status "$WORK/hey-edge-quota-warmup.txt" 429)"
    q_429_prime="$(hey_status "$WORK/prime-quota.txt" 429)"
    RATE_ROWS+="| through proxy-edge, **quota policies** (tenant + key) | $q_rps | $q_n | $q_p50 | $q_p90 | $q_p99 | $q_max | $q_err | $q_sim_cpu | $q_edge_cpu | $q_lua / $q_redis_cpu |
"
    pairs+=("proxy-edge with quotas:$q_rps")
  fi
  RATE_ROWS+="| **edge − direct**$(wants quota && echo ', no quota policy') | | | **$(diff_ms "$e_p50" "$d_p50")** | $(diff_ms "$e_p90" "$d_p90") | **$(diff_ms "$e_p99" "$d_p99")** | $(diff_ms "$e_max" "$d_max") | | | | |"
  RATE_DELTA="added p50 $(diff_ms "$e_p50" "$d_p50") ms (target ≤ 0.5: $(verdict "$(diff_ms "$e_p50" "$d_p50")" 0.5)), added p99 $(diff_ms "$e_p99" "$d_p99") ms (target ≤ 2: $(verdict "$(diff_ms "$e_p99" "$d_p99")" 2))"
  if wants quota; then
    RATE_ROWS+="
| **edge − direct, with quota policies** | | | **$(diff_ms "$q_p50" "$d_p50")** | $(diff_ms "$q_p90" "$d_p90") | **$(diff_ms "$q_p99" "$d_p99")** | $(diff_ms "$q_max" "$d_max") | | | | |
| **quota check: with − without quota policies** | | | **$(diff_ms "$q_p50" "$e_p50")** | $(diff_ms "$q_p90" "$e_p90") | **$(diff_ms "$q_p99" "$e_p99")** | $(diff_ms "$q_max" "$e_max") | | | $(awk -v a="$q_edge_cpu" -v b="$e_edge_cpu" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%+d", a - b }') | |"
    RATE_DELTA="without quota policies: $RATE_DELTA; with quota policies: added p50 $(diff_ms "$q_p50" "$d_p50") ms (target ≤ 0.5: $(verdict "$(diff_ms "$q_p50" "$d_p50")" 0.5)), added p99 $(diff_ms "$q_p99" "$d_p99") ms (target ≤ 2: $(verdict "$(diff_ms "$q_p99" "$d_p99")" 2)); the quota check itself: p50 $(diff_ms "$q_p50" "$e_p50") ms, p99 $(diff_ms "$q_p99" "$e_p99") ms"
    q_refused=$((q_429 + q_429_warm + q_429_prime))
    if ((q_refused == 0)); then
      QUOTA_NOTE="No request of the quota run was refused: 0 × 429 in the measured run, its warm-up and the quota prime."
    else
      QUOTA_NOTE="**$q_refused requests of the quota run were refused with 429** ($q_429 measured, $q_429_warm in the warm-up, $q_429_prime in the prime): the policies are not the never-refusing ones this scenario needs, and the figures include refusals."
    fi
    QUOTA_NOTE+=" Policies: tenant \`$QUOTA_TENANT_POLICY\`, key \`$QUOTA_KEY_POLICY\`; the edge enforced them ${QUOTA_WAIT_S} s after the PUTs (first response with rate-limit headers: \`$QUOTA_PROBE_HEADERS\`)${QUOTA_KEY_COUNTER:+, key-level counter \`${QUOTA_KEY_COUNTER}\` present in Redis}. Redis during the quota run: $q_lua Lua calls (EVAL/EVALSHA) per request, $q_lua_us µs each inside Redis, $q_redis_cpu µs Redis CPU per request (without quota policies: $e_lua calls, $e_redis_cpu µs per request)."
    log "quota: $QUOTA_NOTE"
  fi
  for pair in "${pairs[@]}"; do
    if awk -v a="${pair##*:}" -v r="$RATE" 'BEGIN { exit !(a < 0.95 * r) }'; then
      RATE_DELTA+="; **$(printf '%s' "${pair%%:*}") did not sustain $RATE req/s** (${pair##*:} achieved: each hey worker waits for its answer before its next tick, so the latencies above understate what a real $RATE req/s would see)"
    fi
  done
  log "rate: $RATE_DELTA"
fi

# Paths: per translation path, the same fixed-rate load as rate (lower rate) on the simulator
# directly (the provider-format request) and then through the edge (the client-format request).
# redact TEXT: TEXT with the bench API key shortened (for the report's commands)
redact() { local t="$1"; [[ -z "${API_KEY:-}" ]] || t="${t//"$API_KEY"/"${API_KEY:0:8}..."}"; printf '%s' "$t"; }
PATHS_QPS="$(awk -v r="$PATHS_RATE" -v c="$PATHS_CONNS" 'BEGIN { q = r / c; if (q == int(q)) printf "%d", q; else printf "%.3f", q }')"
# hey_path NAME URL BODY_FILE [HEADER...]: warm-up, then the measured run; output in $WORK/hey-path-NAME.txt
hey_path() {
  local name="$1" url="$2" body="$3" h shown=""
  shift 3
  local args=(-c "$PATHS_CONNS" -q "$PATHS_QPS" -t 10 -m POST -T application/json)
  for h in "$@"; do
    args+=(-H "$h")
    shown+=" -H '$(redact "$h")'"
  done
  args+=(-D "$body" "$url")
  if ((PATHS_WARMUP > 0)); then
    hey -z "${PATHS_WARMUP}s" "${args[@]}" >"$WORK/hey-path-$name-warmup.txt" 2>&1 || true
  fi
  COMMANDS+=("hey -z ${PATHS_DURATION}s -c $PATHS_CONNS -q $PATHS_QPS -t 10 -m POST -T application/json$shown -D $(basename "$body") $url   # $(basename "$body"): $(cat "$body")")
  hey -z "${PATHS_DURATION}s" "${args[@]}" >"$WORK/hey-path-$name.txt" 2>&1 || die "hey failed: $(tail -5 "$WORK/hey-path-$name.txt")"
}
# header_names [HEADER...]: " `name`" for each "name: value" (for the report)
header_names() {
  local h
  # shellcheck disable=SC2016  # backquotes are markdown
  for h in "$@"; do printf ' `%s`' "${h%%:*}"; done
}
# hey_prime NAME URL BODY_FILE [HEADER...]: PATHS_PRIME unmeasured closed-loop requests
hey_prime() {
  local name="$1" url="$2" body="$3" h
  shift 3
  ((PATHS_PRIME > 0)) || return 0
  local args=(-n "$PATHS_PRIME" -c "$((PATHS_PRIME < 8 ? PATHS_PRIME : 8))" -t 10 -m POST -T application/json)
  for h in "$@"; do args+=(-H "$h"); done
  hey "${args[@]}" -D "$body" "$url" >"$WORK/prime-path-$name.txt" 2>&1 || true
}
PATHS_ROWS="" PATHS_REQUESTS="" PATHS_NOTE=""
if wants paths; then
  measured=()
  for n in "${PATH_LIST[@]}"; do
    [[ -z "${PATH_FAILED[$n]:-}" ]] && measured+=("$n")
  done
  if ((PATHS_PRIME > 0)) && ((${#measured[@]} > 0)); then
    log "paths: prime, $PATHS_PRIME closed-loop requests to each path's simulator request and edge request (not measured)"
    for n in "${measured[@]}"; do
      path_def "$n"
      printf '%s' "$PD_D_BODY" >"$WORK/body-$n-direct.json"
      printf '%s' "$PD_E_BODY" >"$WORK/body-$n-edge.json"
      hey_prime "$n-direct" "$PD_D_URL" "$WORK/body-$n-direct.json" ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"}
      hey_prime "$n-edge" "$PD_E_URL" "$WORK/body-$n-edge.json" "${PD_E_HDRS[@]}"
    done
    COMMANDS+=("hey -n $PATHS_PRIME -c 8 ... (paths prime: each path's two requests below, not measured)")
  fi
  slow=()
  for n in "${PATH_LIST[@]}"; do
    path_def "$n"
    if [[ -n "${PATH_FAILED[$n]:-}" ]]; then
      PATHS_ROWS+="| $PD_LABEL | - | - | - | - | - | - | failed before the load: ${PATH_FAILED[$n]//|/¦} | | | | |
"
      continue
    fi
    printf '%s' "$PD_D_BODY" >"$WORK/body-$n-direct.json"
    printf '%s' "$PD_E_BODY" >"$WORK/body-$n-edge.json"
    load1="$(cut -d' ' -f1 /proc/loadavg)"
    log "paths/$n: $PD_LABEL; ${PATHS_WARMUP}s warm-up then ${PATHS_DURATION}s at $PATHS_RATE req/s, first straight to the simulator, then through the edge"
    hey_path "$n-direct" "$PD_D_URL" "$WORK/body-$n-direct.json" ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"}
    t0="$(cpu_ticks "$EDGE_PID")"
    hey_path "$n-edge" "$PD_E_URL" "$WORK/body-$n-edge.json" "${PD_E_HDRS[@]}"
    t1="$(cpu_ticks "$EDGE_PID")"
    read -r pd_rps pd_p50 _ pd_p99 _ _ pd_err <<<"$(hey_parse "path-$n-direct")"
    read -r pe_rps pe_p50 _ pe_p99 _ pe_n pe_err <<<"$(hey_parse "path-$n-edge")"
    # hey prints no 99% line (0) when a run has too few requests for it
    [[ "$pd_p99" != 0.00 ]] || pd_p99="-"
    [[ "$pe_p99" != 0.00 ]] || pe_p99="-"
    pe_cpu="$(cpu_per_req "$t0" "$t1" "$(hey_parse_n "path-$n-edge-warmup")" "$pe_n")"
    a50="$(diff_ms "$pe_p50" "$pd_p50")" a99="$(diff_ms "$pe_p99" "$pd_p99")"
    PATHS_ROWS+="| $PD_LABEL | $pd_p50 | $pd_p99 | $pe_p50 | $pe_p99 | **$a50** | **$a99** | $pd_err / $pe_err | $pd_rps / $pe_rps | $pe_cpu | ${PATH_TOKENS[$n]} | $load1 |
"
    PATHS_REQUESTS+="- **$PD_LABEL**: direct \`POST ${PD_D_URL#"$SIM_URL"}\`$(header_names ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"}) \`$PD_D_BODY\`; edge \`POST ${PD_E_URL#"$EDGE_URL"}\`$(header_names "${PD_E_HDRS[@]}") \`$PD_E_BODY\`
"
    for pair in "direct:$pd_rps" "edge:$pe_rps"; do
      if awk -v a="${pair##*:}" -v r="$PATHS_RATE" 'BEGIN { exit !(a < 0.95 * r) }'; then
        slow+=("$n ${pair%%:*} (${pair##*:} req/s)")
      fi
    done
    log "paths/$n: direct p50 $pd_p50 p99 $pd_p99, edge p50 $pe_p50 p99 $pe_p99: added p50 $a50 ms, p99 $a99 ms; errors $pd_err / $pe_err; edge CPU $pe_cpu µs/req"
  done
  if ((${#slow[@]} > 0)); then
    PATHS_NOTE="**Did not sustain $PATHS_RATE req/s**: $(printf '%s; ' "${slow[@]}" | sed 's/; $//') (each hey worker waits for its answer before its next tick, so those latencies are understated)."
  fi
fi

# stream_run NAME URL KEY MODEL CONCURRENCY TOTAL WARMUP SIM_PID [extra args]: WARMUP unmeasured
# streams first, in the same client JVM (answers cut to 2 tokens when prefixed "short:", e.g.
# short:500), then the measured run; output in $WORK/stream-NAME.txt, with the CPU time the edge
# and the simulator (pid SIM_PID) used per measured stream.  When MEASURE_HOOK names a function, it
# runs in the background meanwhile.
stream_run() {
  local name="$1" url="$2" key="$3" model="$4" conc="$5" total="$6" warm="$7" sim_pid="$8" hook_pid=""
  shift 8
  local args=("url=$url/v1/chat/completions" "key=$key" "model=$model" "prompt=$PROMPT" "label=$name"
    "concurrency=$conc" "total=$total" "cpu.edge=${EDGE_PID:-}" "cpu.sim=$sim_pid" "clk_tck=$(getconf CLK_TCK)" "$@")
  local note="after $warm unmeasured warm-up streams in the same JVM"
  if [[ "$warm" == short:* ]]; then
    warm="${warm#short:}"
    args+=("warmup=$warm" warmup_max_tokens=2)
    note="after $warm unmeasured warm-up streams of 2 tokens in the same JVM"
  elif ((warm > 0)); then
    args+=("warmup=$warm")
  fi
  COMMANDS+=("java bench/StreamBench.java url=$url/v1/chat/completions key=${key:0:8}... model=$model 'prompt=$PROMPT' label=$name concurrency=$conc total=$total $*   # $note")
  if [[ -n "${MEASURE_HOOK:-}" ]]; then
    "$MEASURE_HOOK" &
    hook_pid=$!
  fi
  "${STREAM_CLIENT[@]}" "${args[@]}" >"$WORK/stream-$name.txt" 2>&1 || die "StreamBench failed: $(tail -5 "$WORK/stream-$name.txt")"
  if [[ -n "$hook_pid" ]]; then
    wait "$hook_pid" 2>/dev/null || true
  fi
  grep -v '^RESULT ' "$WORK/stream-$name.txt" | sed 's/^/    /' >&2
}
# cpu_get NAME edge|sim: CPU µs per stream of the measured run NAME
cpu_get() { stream_get "$1" "cpu_$2_us"; }
# stream_get NAME FIELD
stream_get() { grep '^RESULT ' "$WORK/stream-$1.txt" | tr ' ' '\n' | awk -F= -v f="$2" '$1 == f { print $2 }'; }

STREAM_ROWS="" STREAM_DELTA=""
# stream_rows DIRECT EDGE LOAD: two table rows and the difference row
stream_rows() {
  local n label
  for n in "$1" "$2"; do
    label="simulator direct, $3"
    [[ "$n" == "$2" ]] && label="through proxy-edge, $3"
    STREAM_ROWS+="| $label | $(stream_get "$n" n) | $(stream_get "$n" max_open) | $(stream_get "$n" rate) | $(stream_get "$n" ttft_p50) | $(stream_get "$n" ttft_p90) | $(stream_get "$n" ttft_p99) | $(stream_get "$n" total_p50) | $(stream_get "$n" total_p99) | $(stream_get "$n" errors) | $(cpu_get "$n" sim) | $(if [[ $n == "$2" ]]; then cpu_get "$n" edge; fi) |
"
  done
  STREAM_ROWS+="| **edge − direct**, $3 | | | | **$(diff_ms "$(stream_get "$2" ttft_p50)" "$(stream_get "$1" ttft_p50)")** | $(diff_ms "$(stream_get "$2" ttft_p90)" "$(stream_get "$1" ttft_p90)") | **$(diff_ms "$(stream_get "$2" ttft_p99)" "$(stream_get "$1" ttft_p99)")** | $(diff_ms "$(stream_get "$2" total_p50)" "$(stream_get "$1" total_p50)") | $(diff_ms "$(stream_get "$2" total_p99)" "$(stream_get "$1" total_p99)") | | | |
"
}
if wants stream; then
  SWARM=1000
  STREAM_DIRECT_URL="http://127.0.0.1:$STREAM_SIM_PORT"
  log "stream: light load first, $LIGHT_STREAMS streams $LIGHT_CONC at a time (after $SWARM warm-up streams); simulator ttft ${STREAM_TTFT} ms, inter-token ${STREAM_ITL} ms"
  stream_run light-direct "$STREAM_DIRECT_URL" "$SIM_KEY" "$UPSTREAM_MODEL" "$LIGHT_CONC" "$LIGHT_STREAMS" "$SWARM" "$STREAM_SIM_PID"
  stream_run light-edge "$EDGE_URL" "$API_KEY" bench-stream "$LIGHT_CONC" "$LIGHT_STREAMS" "$SWARM" "$STREAM_SIM_PID"
  log "stream: then $STREAMS streams, $STREAM_CONC at a time"
  stream_run stream-direct "$STREAM_DIRECT_URL" "$SIM_KEY" "$UPSTREAM_MODEL" "$STREAM_CONC" "$STREAMS" 400 "$STREAM_SIM_PID"
  stream_run stream-edge "$EDGE_URL" "$API_KEY" bench-stream "$STREAM_CONC" "$STREAMS" 400 "$STREAM_SIM_PID"
  stream_rows light-direct light-edge "$LIGHT_CONC at a time"
  stream_rows stream-direct stream-edge "$STREAM_CONC at a time"
  dt50="$(diff_ms "$(stream_get light-edge ttft_p50)" "$(stream_get light-direct ttft_p50)")"
  dt99="$(diff_ms "$(stream_get light-edge ttft_p99)" "$(stream_get light-direct ttft_p99)")"
  ht50="$(diff_ms "$(stream_get stream-edge ttft_p50)" "$(stream_get stream-direct ttft_p50)")"
  ht99="$(diff_ms "$(stream_get stream-edge ttft_p99)" "$(stream_get stream-direct ttft_p99)")"
  STREAM_DELTA="added TTFT at $LIGHT_CONC streams at a time: p50 $dt50 ms (target ≤ 1: $(verdict "$dt50" 1)), p99 $dt99 ms; at $STREAM_CONC at a time: p50 $ht50 ms, p99 $ht99 ms"
  log "stream: $STREAM_DELTA"
fi

MEM_ROW="" MEM_NOTE="" MEM_STREAM_ROWS="" MEM_JVM_ROWS=""
if wants memory; then
  mem_args=("timeout_s=$((MEM_SECONDS * 6 + 60))" "ramp_ms=$((MEM_RAMP * 1000))")
  log "memory: $MEM_STREAMS concurrent streams of ~${MEM_SECONDS}s, started over ${MEM_RAMP}s (simulator ttft ${STREAM_TTFT} ms, inter-token ${SLOW_ITL} ms x $TOKENS tokens), first to the simulator directly"
  stream_run memory-direct "http://127.0.0.1:$SLOW_SIM_PORT" "$SIM_KEY" "$UPSTREAM_MODEL" "$MEM_STREAMS" "$MEM_STREAMS" "short:$((MEM_STREAMS / 2))" "$SLOW_SIM_PID" "${mem_args[@]}"
  sleep 2
  rss_before=0 hwm_reset=no
  if [[ -n "$EDGE_PID" ]]; then
    rss_before="$(rss_kb "$EDGE_PID")"
    if echo 5 >"/proc/$EDGE_PID/clear_refs" 2>/dev/null; then hwm_reset=yes; fi
    # sampler: max VmRSS and max open file descriptors of the edge, every 200 ms
    (
      max=0 maxfd=0
      while :; do
        r="$(rss_kb "$EDGE_PID")"
        f="$(find "/proc/$EDGE_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
        ((r > max)) && max=$r
        ((f > maxfd)) && maxfd=$f
        printf '%s %s\n' "$max" "$maxfd" >"$WORK/sampler.tmp" && mv -f "$WORK/sampler.tmp" "$WORK/sampler"
        sleep 0.2
      done
    ) &
    SAMPLER_PID=$!
  fi
  log "memory: the same through the edge; edge RSS now $(mb "$rss_before") MB"
  jvm_before="$(edge_jvm)"
  MEASURE_HOOK=""
  [[ -n "$EDGE_PID" ]] && MEASURE_HOOK=mem_mid_snapshot
  stream_run memory-edge "$EDGE_URL" "$API_KEY" bench-slow "$MEM_STREAMS" "$MEM_STREAMS" "short:$((MEM_STREAMS / 2))" "$SLOW_SIM_PID" "${mem_args[@]}"
  MEASURE_HOOK=""
  for n in memory-direct memory-edge; do
    label="simulator direct"
    [[ "$n" == memory-edge ]] && label="through proxy-edge"
    MEM_STREAM_ROWS+="| $label | $(stream_get $n n) | $(stream_get $n max_open) | $(stream_get $n ttft_p50) | $(stream_get $n ttft_p99) | $(stream_get $n total_p50) | $(stream_get $n total_p99) | $(stream_get $n total_max) | $(stream_get $n wall_s) | $(stream_get $n errors) | $(cpu_get $n sim) | $(if [[ $n == *edge ]]; then cpu_get $n edge; fi) |
"
  done
  if [[ -n "$SAMPLER_PID" ]]; then
    sleep 0.5
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    rss_peak=0 fd_peak="?"
    read -r rss_peak fd_peak <"$WORK/sampler" || true
    hwm="$(hwm_kb "$EDGE_PID")"
    sleep 3
    rss_after="$(rss_kb "$EDGE_PID")"
    hwm_cell="$(mb "$hwm")"
    [[ "$hwm_reset" == yes ]] || hwm_cell="$hwm_cell (since the edge started: HWM reset refused)"
    mid_rss=0 mid_hc="?" mid_hu="?" mid_nh="?" mid_th="?"
    read -r mid_rss mid_hc mid_hu mid_nh mid_th <"$WORK/jvm-mid" 2>/dev/null || true
    read -r b_hc b_hu b_nh b_th <<<"$jvm_before"
    MEM_ROW="| $(mb "$EDGE_RSS_START") | $(mb "$rss_before") | **$(mb "$rss_peak")** | $hwm_cell | $(mb "$rss_after") | $(stream_get memory-edge max_open) | $fd_peak |"
    MEM_JVM_ROWS="| before the edge run | $(mb "$rss_before") | ${b_hc:-?} | ${b_hu:-?} | ${b_nh:-?} | ${b_th:-?} |
| all streams open (≥ $((MEM_STREAMS * 19 / 10)) edge fds, +1 s) | $(mb "$mid_rss") | $mid_hc | $mid_hu | $mid_nh | $mid_th |"
    MEM_NOTE="peak RSS $(mb "$rss_peak") MB with $(stream_get memory-edge max_open) streams open (target ≤ 512 MB: $(verdict "$(mb "$rss_peak")" 512))"
  else
    MEM_NOTE="no RSS figures: proxy-edge's pid is unknown"
  fi
  log "memory: $MEM_NOTE"
fi

# wrk_run NAME URL KEY BODY
wrk_run() {
  local name="$1" url="$2" key="$3" body="$4"
  cat >"$WORK/wrk-$name.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
EOF
  log "max/$name: wrk ${MAX_DURATION}s, $MAX_CONNS connections"
  wrk -t2 -c"$MAX_CONNS" -d3s -s "$WORK/wrk-$name.lua" "$url" >/dev/null 2>&1 || true
  COMMANDS+=("wrk -t2 -c$MAX_CONNS -d${MAX_DURATION}s --latency -s post.lua $url   # post.lua: POST '$body'")
  wrk -t2 -c"$MAX_CONNS" -d"${MAX_DURATION}s" --latency -s "$WORK/wrk-$name.lua" "$url" >"$WORK/wrk-$name.txt" 2>&1 \
    || die "wrk failed: $(tail -5 "$WORK/wrk-$name.txt")"
}
# wrk_parse NAME -> "rps p50 p90 p99 max total errors" (ms)
wrk_parse() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /m$/) return substr(v, 1, length(v) - 1) * 60000
      if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
      return v + 0
    }
    /^ +Latency / && !lat { max = ms($4); lat = 1 }
    /^ +50% / { p50 = ms($2) }
    /^ +90% / { p90 = ms($2) }
    /^ +99% / { p99 = ms($2) }
    /requests in/ { total = $1 }
    /Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) bad += $i + 0 }
    END { printf "%.1f %.2f %.2f %.2f %.2f %d %d\n", rps, p50, p90, p99, max, total, bad }
  ' "$WORK/wrk-$1.txt"
}
MAX_ROWS=""
if wants max; then
  wrk_run direct "$SIM_URL/v1/chat/completions" "$SIM_KEY" "$CHAT_BODY_DIRECT"
  wrk_run edge "$EDGE_URL/v1/chat/completions" "$API_KEY" "$CHAT_BODY_EDGE"
  for n in direct edge; do
    read -r rps p50 p90 p99 mx tot bad <<<"$(wrk_parse $n)"
    label="simulator direct"
    [[ "$n" == edge ]] && label="through proxy-edge"
    MAX_ROWS+="| $label | $MAX_CONNS | $rps | $tot | $p50 | $p90 | $p99 | $mx | $bad |
"
  done
fi
LOAD_AT_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 6. report
mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/$TS.md"
edge_cmd="$([[ -n "$EDGE_PID" ]] && tr '\0' ' ' <"/proc/$EDGE_PID/cmdline" 2>/dev/null | sed 's/ *$//' || echo '?')"
{
  printf '# LLM Proxy benchmark, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf -- '- machine: %s cores (%s), %s MB memory, %s\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
    "$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1024 }' /proc/meminfo)" "$(uname -sr)"
  printf -- '- load average (1/5/15 min): %s at the start of the load, %s at the end. **Everything runs on this one machine** (load tools, simulator, edge, Kafka, PostgreSQL, Redis), so the load tools take CPU from the edge: figures are noisy, compare runs on the same machine only.\n' "$LOAD_AT_START" "$LOAD_AT_END"
  printf -- '- JDK: %s (%s)\n' "$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)" "$JAVA_HOME"
  # shellcheck disable=SC2016  # backquotes are markdown
  printf -- '- proxy-edge: `%s` (pid %s, up %s s and RSS %s MB when the bench started; the RSS figures below depend on that history: restart the stack for a fresh-start figure)\n' "$edge_cmd" "${EDGE_PID:-?}" "${EDGE_UPTIME:-?}" "$(mb "$EDGE_RSS_START")"
  printf -- '- commit: %s%s\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$([[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]] && echo ' (with uncommitted changes)')"
  printf -- '- tools: %s; %s\n' "$(have hey && echo hey || echo 'no hey')" "$(if have wrk; then { wrk -v 2>&1 || true; } | head -n 1 | cut -d' ' -f1-2; else echo 'no wrk'; fi)"
  printf -- '- prompt "%s": %s completion tokens per answer\n\n' "$PROMPT" "$TOKENS"

  if [[ -n "$RATE_ROWS" ]]; then
    printf '## 1. Added latency, non-streamed, %s req/s for %s s (hey, %s workers × %s req/s; warm-up %s s)\n\n' "$RATE" "$DURATION" "$CONNS" "$QPS" "$WARMUP"
    printf '| target | achieved req/s | requests | p50 ms | p90 ms | p99 ms | max ms | errors | simulator CPU µs/req | edge CPU µs/req | Redis Lua calls / CPU µs per req |\n|---|---|---|---|---|---|---|---|---|---|---|\n%s\n\n' "$RATE_ROWS"
    printf 'Target (DESIGN): added p50 ≤ 0.5 ms, added p99 ≤ 2 ms at 1,000 req/s. This run: %s. hey reports latencies to 0.1 ms.\n\n' "$RATE_DELTA"
    [[ -z "$QUOTA_NOTE" ]] || printf '%s\n\n' "$QUOTA_NOTE"
  fi
  if [[ -n "$STREAM_ROWS" ]]; then
    printf '## 2. Streams: %s streams %s at a time, then %s streams %s at a time (simulator ttft %s ms, inter-token %s ms, %s tokens)\n\n' "$LIGHT_STREAMS" "$LIGHT_CONC" "$STREAMS" "$STREAM_CONC" "$STREAM_TTFT" "$STREAM_ITL" "$TOKENS"
    printf '| target, load | streams | max open | streams/s | TTFT p50 ms | TTFT p90 ms | TTFT p99 ms | total p50 ms | total p99 ms | errors | simulator CPU µs/stream | edge CPU µs/stream |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$STREAM_ROWS"
    printf 'Target (DESIGN): time to first token + ≤ 1 ms. This run: %s. TTFT = request sent → first SSE event with non-empty delta content (here it arrives in the same read as the first byte), measured by bench/StreamBench.java. The simulator sleeps ttft before its first event, so TTFT ≥ ttft; at high concurrency the 2 cores are saturated and the difference is mostly queueing.\n\n' "$STREAM_DELTA"
  fi
  if [[ -n "$MEM_STREAM_ROWS" ]]; then
    printf '## 3. Memory: %s concurrent streams of ~%s s, started over %s s (simulator ttft %s ms, inter-token %s ms × %s tokens)\n\n' "$MEM_STREAMS" "$MEM_SECONDS" "$MEM_RAMP" "$STREAM_TTFT" "$SLOW_ITL" "$TOKENS"
    printf '| target | streams | max open | TTFT p50 ms | TTFT p99 ms | total p50 ms | total p99 ms | total max ms | wall s | errors | simulator CPU µs/stream | edge CPU µs/stream |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$MEM_STREAM_ROWS"
    if [[ -n "$MEM_ROW" ]]; then
      printf '| edge RSS MB at bench start | before the edge run | **peak (sampled every 0.2 s)** | VmHWM | 3 s after | streams open at once | max edge fds |\n|---|---|---|---|---|---|---|\n%s\n\n' "$MEM_ROW"
      printf '| edge, when | RSS MB | heap committed MB | heap used MB | non-heap used MB | live threads |\n|---|---|---|---|---|---|\n%s\n\n' "$MEM_JVM_ROWS"
      printf 'RSS beyond heap committed + non-heap is mostly native memory: Netty'"'"'s pooled direct buffers (not in the JVM'"'"'s buffer-pool metrics), thread stacks, malloc arenas, GC structures.\n\n'
    fi
    printf 'Target (DESIGN): many concurrent streams in ≤ 512 MB. This run: %s. RSS includes the JVM heap (the edge runs with the -Xmx above), metaspace, code cache, thread stacks and Netty direct buffers.\n\n' "$MEM_NOTE"
  fi
  if [[ -n "$MAX_ROWS" ]]; then
    printf '## 4. Maximum throughput, non-streamed, closed loop (wrk, %s s, %s connections)\n\n' "$MAX_DURATION" "$MAX_CONNS"
    printf '| target | connections | req/s | requests | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|---|---|---|\n%s\n' "$MAX_ROWS"
    printf 'On a small machine this mostly shows how the cores are shared between wrk, the edge and the simulator.\n\n'
  fi
  if [[ -n "$PATHS_ROWS" ]]; then
    printf '## 5. Added latency per translation path, non-streamed, %s req/s for %s s per run (hey, %s workers × %s req/s; warm-up %s s; prime %s requests per target)\n\n' "$PATHS_RATE" "$PATHS_DURATION" "$PATHS_CONNS" "$PATHS_QPS" "$PATHS_WARMUP" "$PATHS_PRIME"
    printf '| path (client format → provider type) | direct p50 ms | direct p99 ms | edge p50 ms | edge p99 ms | **added p50 ms** | **added p99 ms** | errors direct / edge | achieved req/s direct / edge | edge CPU µs/req | answer tokens direct / edge | load 1-min |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$PATHS_ROWS"
    printf 'Each row: the simulator straight, with the request in the provider'"'"'s own wire format (what the edge sends it), then the edge, with the client-format request; same prompt, same upstream model, same simulator (:%s), one right after the other. The client-format rows go to the openai provider and compare with the OpenAI request straight to the simulator. The DESIGN targets (added p50 ≤ 0.5 ms, p99 ≤ 2 ms) are stated for 1,000 req/s; these runs are at %s req/s. hey reports latencies to 0.1 ms, and at %s s × %s req/s each p99 rests on the slowest ~%s requests: repeat a run before trusting a difference below a few tenths of a ms. Errors = non-200 responses plus transport errors. Edge CPU µs/req includes the warm-up requests and background work.\n\n' "$SIM_PORT" "$PATHS_RATE" "$PATHS_DURATION" "$PATHS_RATE" "$((PATHS_RATE * PATHS_DURATION / 100))"
    [[ -z "$PATHS_NOTE" ]] || printf '%s\n\n' "$PATHS_NOTE"
    [[ -z "$PATHS_SETUP_NOTE" ]] || printf '%s\n\n' "$PATHS_SETUP_NOTE"
    printf 'Requests (prompt as above; keys elided):\n\n%s\n' "$PATHS_REQUESTS"
  fi
  printf '## Commands\n\n```sh\n'
  printf '%s\n' "BENCH_DURATION=$DURATION BENCH_WARMUP=$WARMUP BENCH_RATE=$RATE BENCH_CONNECTIONS=$CONNS BENCH_STREAMS=$STREAMS BENCH_STREAM_CONCURRENCY=$STREAM_CONC BENCH_STREAM_TTFT_MS=$STREAM_TTFT BENCH_STREAM_INTER_TOKEN_MS=$STREAM_ITL BENCH_LIGHT_STREAMS=$LIGHT_STREAMS BENCH_LIGHT_CONCURRENCY=$LIGHT_CONC BENCH_MEM_STREAMS=$MEM_STREAMS BENCH_MEM_STREAM_SECONDS=$MEM_SECONDS BENCH_MEM_RAMP_SECONDS=$MEM_RAMP BENCH_MAX_DURATION=$MAX_DURATION BENCH_MAX_CONNECTIONS=$MAX_CONNS BENCH_PRIME_REQUESTS=$PRIME BENCH_PATHS_RATE=$PATHS_RATE BENCH_PATHS_DURATION=$PATHS_DURATION BENCH_PATHS_WARMUP=$PATHS_WARMUP BENCH_PATHS_CONNECTIONS=$PATHS_CONNS BENCH_PATHS_PRIME=$PATHS_PRIME BENCH_PATHS='${PATH_LIST[*]}' BENCH_SCENARIOS='${SCENARIO_LIST[*]}' bench/run.sh"
  printf '# which ran:\n'
  printf '%s\n' "${COMMANDS[@]}"
  printf '```\n\n## Raw output\n\n'
  for f in "$WORK"/hey-direct.txt "$WORK"/hey-edge.txt "$WORK"/hey-edge-quota.txt "$WORK"/stream-*.txt "$WORK"/wrk-direct.txt "$WORK"/wrk-edge.txt "$WORK"/hey-path-*.txt; do
    [[ -f "$f" && "$f" != *-warmup.txt ]] || continue
    # shellcheck disable=SC2016  # backquotes are markdown
    printf '<details><summary>%s</summary>\n\n```\n%s\n```\n</details>\n\n' "$(basename "$f")" "$(grep -v '^RESULT ' "$f" | sed '/^Response time histogram:/,/^$/d' | sed '/^ *$/N;/^\n$/D')"
  done
} >"$REPORT"

# stdout: the report without the raw output
sed '/^## Raw output/,$d' "$REPORT"
log "report written to ${REPORT#"$ROOT"/}"
