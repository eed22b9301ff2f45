#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2034  # the settings and figures set here are read by run.sh and bench/scenarios/*
# Shared part of bench/run.sh: settings, the work folder and its cleanup, stack checks, tools, the
# admin API; the extra simulators and the load tools' parsing are in lib-load.sh, sourced at the
# end.  Source it (run.sh does); it reuses
# infra/local/lib.sh (JDK pick, port checks, service pids, log tails, llmproxy_log/llmproxy_err).
# Each scenario lives in bench/scenarios/<name>.sh and uses what is defined here.
#
# Environment (all optional; see bench/README.md for the meaning of each):
#   BENCH_DURATION=20 BENCH_WARMUP=5 BENCH_RATE=1000 BENCH_CONNECTIONS=10   rate and quota
#   BENCH_JIT_QUIET_MAX=60       rate, quota, frames, builds: most extra warm-up seconds waiting for the JIT to go quiet
#   BENCH_STREAMS=2000 BENCH_STREAM_CONCURRENCY=200 BENCH_LIGHT_STREAMS=300 BENCH_LIGHT_CONCURRENCY=10
#   BENCH_STREAM_TTFT_MS=50 BENCH_STREAM_INTER_TOKEN_MS=5                   stream (and streams)
#   BENCH_STREAMS_LEVELS="20 200" BENCH_STREAMS_PER_LEVEL=1000 BENCH_STREAMS_WARMUP=400   streams
#   BENCH_MEM_STREAMS=2000 BENCH_MEM_STREAM_SECONDS=10 BENCH_MEM_RAMP_SECONDS=(half)   memory
#   BENCH_MAX_DURATION=10 BENCH_MAX_CONNECTIONS=32                          max
#   BENCH_PATHS_RATE=300 BENCH_PATHS_DURATION=10 BENCH_PATHS_WARMUP=3 BENCH_PATHS_CONNECTIONS=10
#   BENCH_PATHS_PRIME=5000 BENCH_PATHS="openai ... client-responses"        paths
#   BENCH_PEERS_ROUNDS=2 BENCH_PEERS_SECONDS=10 BENCH_PEERS_RATE=500 BENCH_PEERS_CONNECTIONS=10
#   BENCH_PEERS_WARMUP=20000 BENCH_PEERS_DIR BENCH_PEERS_RIVAL_PORT=8787 BENCH_PEERS_FLOOR_PORT=8788 BENCH_PEERS_NETTY_PORT=8789
#   BENCH_PEERS_REACTOR_PORT=8790                                            peers
#   BENCH_PIPELINE_RATE="2000" (events/s, a list runs each) BENCH_PIPELINE_SECONDS=30
#   BENCH_PIPELINE_WARMUP=5 BENCH_PIPELINE_IDLE=5 BENCH_PIPELINE_TENANTS=20 BENCH_PIPELINE_DRAIN_TIMEOUT=120
#   BENCH_PIPELINE_GROUP=llmproxy-usage-projection                          pipeline
#   BENCH_FRAMES_ROUNDS=3                                                    frames
#   BENCH_BUILDS="label=jar label=jar" BENCH_BUILDS_ROUNDS=3 BENCH_BUILDS_PORT=5011   builds
#   BENCH_PRIME_REQUESTS=40000   unmeasured closed-loop requests to each target first (JIT warm-up)
#   BENCH_START=1                start the stack with infra/local/up.sh when it is not healthy
#   BENCH_KEY_WAIT=10            seconds to wait for the edge to accept the new key/routes
#   BENCH_STREAM_SIM_PORT=5101 / BENCH_SLOW_SIM_PORT=5102   ports of the two extra simulators
#   BENCH_RESULTS_DIR            where the markdown report goes (bench/results)
#   LLMPROXY_ADMIN_TOKEN         admin token (default: infra/local/.state/admin-token)
#   LLMPROXY_EDGE_PORT / _COMMAND_PORT / _SIMULATOR_PORT   (5000 / 5001 / 5100), as infra/local/up.sh
#   LLMPROXY_QUERY_PORT (5002), LLMPROXY_KAFKA_BOOTSTRAP or LLMPROXY_KAFKA_PORT (127.0.0.1:9092),
#   LLMPROXY_DB_HOST/_PORT/_NAME/_USER/_PASSWORD   the pipeline scenario's query-side, Kafka, PostgreSQL
#   LLMPROXY_EDGE_MANAGEMENT_PORT  the edge's actuator under up.sh --prometheus (5090)
#   LLMPROXY_REDIS_HOST / _PORT  the edge's Redis (127.0.0.1 / 6379), read with redis-cli (INFO,
#                                SCAN) for the quota scenario's Redis figures when redis-cli exists

BENCH_DIR="${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)}"
# shellcheck source=../infra/local/lib.sh
source "$BENCH_DIR/../infra/local/lib.sh"
ROOT="$LLMPROXY_ROOT"

# ---------------------------------------------------------------- settings
DURATION="${BENCH_DURATION:-20}"
WARMUP="${BENCH_WARMUP:-5}"
JIT_QUIET_MAX="${BENCH_JIT_QUIET_MAX:-60}"
RATE="${BENCH_RATE:-1000}"
CONNS="${BENCH_CONNECTIONS:-10}"
STREAMS="${BENCH_STREAMS:-2000}"
STREAM_CONC="${BENCH_STREAM_CONCURRENCY:-200}"
LIGHT_STREAMS="${BENCH_LIGHT_STREAMS:-300}"
LIGHT_CONC="${BENCH_LIGHT_CONCURRENCY:-10}"
STREAM_TTFT="${BENCH_STREAM_TTFT_MS:-50}"
STREAM_ITL="${BENCH_STREAM_INTER_TOKEN_MS:-5}"
read -r -a STREAMS_LEVELS <<<"${BENCH_STREAMS_LEVELS:-20 200}"
STREAMS_PER_LEVEL="${BENCH_STREAMS_PER_LEVEL:-1000}"
STREAMS_WARMUP="${BENCH_STREAMS_WARMUP:-400}"
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
PEERS_ROUNDS="${BENCH_PEERS_ROUNDS:-2}"
PEERS_SECONDS="${BENCH_PEERS_SECONDS:-10}"
PEERS_RATE="${BENCH_PEERS_RATE:-500}"
PEERS_CONNS="${BENCH_PEERS_CONNECTIONS:-10}"
PEERS_WARMUP="${BENCH_PEERS_WARMUP:-20000}"
PEERS_DIR="${BENCH_PEERS_DIR:-${TMPDIR:-/tmp}/llmproxy-peers}"
PEERS_RIVAL_PORT="${BENCH_PEERS_RIVAL_PORT:-8787}"
PEERS_FLOOR_PORT="${BENCH_PEERS_FLOOR_PORT:-8788}"
PEERS_NETTY_PORT="${BENCH_PEERS_NETTY_PORT:-8789}"
PEERS_REACTOR_PORT="${BENCH_PEERS_REACTOR_PORT:-8790}"
read -r -a PIPELINE_RATES <<<"${BENCH_PIPELINE_RATE:-2000}"
PIPELINE_SECONDS="${BENCH_PIPELINE_SECONDS:-30}"
PIPELINE_WARMUP="${BENCH_PIPELINE_WARMUP:-5}"
PIPELINE_IDLE="${BENCH_PIPELINE_IDLE:-5}"
PIPELINE_TENANTS="${BENCH_PIPELINE_TENANTS:-20}"
PIPELINE_DRAIN_TIMEOUT="${BENCH_PIPELINE_DRAIN_TIMEOUT:-120}"
PIPELINE_GROUP="${BENCH_PIPELINE_GROUP:-llmproxy-usage-projection}"
KEY_WAIT="${BENCH_KEY_WAIT:-10}"
STREAM_SIM_PORT="${BENCH_STREAM_SIM_PORT:-5101}"
SLOW_SIM_PORT="${BENCH_SLOW_SIM_PORT:-5102}"
RESULTS_DIR="${BENCH_RESULTS_DIR:-$BENCH_DIR/results}"
EDGE_PORT="${LLMPROXY_EDGE_PORT:-5000}"
COMMAND_PORT="${LLMPROXY_COMMAND_PORT:-5001}"
SIM_PORT="${LLMPROXY_SIMULATOR_PORT:-5100}"
EDGE_MANAGEMENT_PORT="${LLMPROXY_EDGE_MANAGEMENT_PORT:-5090}"
QUERY_PORT="${LLMPROXY_QUERY_PORT:-5002}"
KAFKA_BOOTSTRAP="${LLMPROXY_KAFKA_BOOTSTRAP:-127.0.0.1:${LLMPROXY_KAFKA_PORT:-9092}}"
DB_HOST="${LLMPROXY_DB_HOST:-127.0.0.1}" DB_PORT="${LLMPROXY_DB_PORT:-5432}"
DB_NAME="${LLMPROXY_DB_NAME:-llmproxy}" DB_USER="${LLMPROXY_DB_USER:-postgres}"
EDGE_URL="http://127.0.0.1:$EDGE_PORT"
COMMAND_URL="http://127.0.0.1:$COMMAND_PORT"
SIM_URL="http://127.0.0.1:$SIM_PORT"
SIM_KEY="sk-bench"
REDIS_HOST="${LLMPROXY_REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${LLMPROXY_REDIS_PORT:-6379}"
UPSTREAM_MODEL="sim-bench"

for n in DURATION WARMUP JIT_QUIET_MAX RATE CONNS STREAMS STREAM_CONC LIGHT_STREAMS LIGHT_CONC STREAM_TTFT STREAM_ITL MEM_STREAMS MEM_SECONDS MEM_RAMP \
  MAX_DURATION MAX_CONNS PRIME KEY_WAIT STREAM_SIM_PORT SLOW_SIM_PORT PATHS_RATE PATHS_DURATION PATHS_WARMUP PATHS_CONNS PATHS_PRIME \
  PEERS_ROUNDS PEERS_SECONDS PEERS_RATE PEERS_CONNS PEERS_WARMUP PEERS_RIVAL_PORT PEERS_FLOOR_PORT PEERS_NETTY_PORT PEERS_REACTOR_PORT EDGE_PORT COMMAND_PORT SIM_PORT \
  STREAMS_PER_LEVEL STREAMS_WARMUP PIPELINE_SECONDS PIPELINE_WARMUP PIPELINE_IDLE PIPELINE_TENANTS PIPELINE_DRAIN_TIMEOUT QUERY_PORT; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || { llmproxy_err "bench: $n must be a whole number, was \"${!n}\""; exit 2; }
done
for n in PATHS_RATE PATHS_DURATION PATHS_CONNS; do
  ((${!n} > 0)) || { llmproxy_err "bench: $n must be at least 1"; exit 2; }
done
for n in "${STREAMS_LEVELS[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { llmproxy_err "bench: BENCH_STREAMS_LEVELS must be whole numbers ≥ 1, was \"${STREAMS_LEVELS[*]}\""; exit 2; }
done
for n in "${PIPELINE_RATES[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { llmproxy_err "bench: BENCH_PIPELINE_RATE must be whole numbers ≥ 1, was \"${PIPELINE_RATES[*]}\""; exit 2; }
done
for n in PIPELINE_SECONDS PIPELINE_TENANTS; do
  ((${!n} > 0)) || { llmproxy_err "bench: $n must be at least 1"; exit 2; }
done
((${#PATH_LIST[@]} > 0)) || { llmproxy_err "bench: BENCH_PATHS is empty ($ALL_PATHS)"; exit 2; }
for s in "${PATH_LIST[@]}"; do
  [[ " $ALL_PATHS " == *" $s "* ]] || { llmproxy_err "bench: unknown path $s in BENCH_PATHS ($ALL_PATHS)"; exit 2; }
done

# wants SCENARIO: 0 when SCENARIO is in BENCH_SCENARIOS (run.sh sets SCENARIOS=" a b c ")
wants() { [[ "${SCENARIOS:-}" == *" $1 "* ]]; }
log() { llmproxy_log "bench: $*"; }
die() {
  llmproxy_err "bench: $*"
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- work folder, cleanup
TS="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/llmproxy-bench.XXXXXX")"
EXTRA_PIDS=()   # processes this run started (extra simulators, the rival): stopped on exit
SAMPLER_PID=""
COMMANDS=()     # the exact load commands, for the report

cleanup() {
  local rc=$? pid
  if [[ -n "$SAMPLER_PID" ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
  fi
  for pid in ${EXTRA_PIDS[@]+"${EXTRA_PIDS[@]}"}; do
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping pid $pid (started by the bench: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80))"
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

# ---------------------------------------------------------------- small helpers
# health_up PORT: 0 when http://127.0.0.1:PORT/actuator/health says UP (for the edge, also its
# management port, where up.sh --prometheus moves the actuator)
health_up() {
  curl -fsS --max-time 3 "http://127.0.0.1:$1/actuator/health" 2>/dev/null | grep -q '"status" *: *"UP"' \
    || { [[ "$1" == "$EDGE_PORT" ]] && curl -fsS --max-time 3 "http://127.0.0.1:$EDGE_MANAGEMENT_PORT/actuator/health" \
           2>/dev/null | grep -q '"status" *: *"UP"'; }
}

# json_get FIELD < JSON: the top-level FIELD of a JSON object ("" when absent)
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
# provider NAME PORT -> providerId of a new openai provider on the simulator at PORT
provider() {
  admin POST /admin/v1/providers \
    "{\"name\":\"$1-$TS\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:$2/v1\",\"apiKey\":\"$SIM_KEY\"}" \
    | json_get providerId
}
# route ALIAS PROVIDER_ID: ALIAS -> the provider's upstream model sim-bench
route() {
  admin PUT "/admin/v1/routes/$1" "{\"targets\":[{\"providerId\":\"$2\",\"model\":\"$UPSTREAM_MODEL\"}]}" >/dev/null
}

# chat_status URL KEY MODEL [EXTRA_JSON]: HTTP status of one small chat completion.
chat_status() {
  curl -sS -o "$WORK/chat.out" -w '%{http_code}' --max-time 20 "$1/v1/chat/completions" \
    -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    -d "{\"model\":\"$3\",\"messages\":[{\"role\":\"user\",\"content\":\"bench probe\"}]${4:-}}" 2>/dev/null || true
}
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
# thread_ticks PID: "<group> <ticks>" lines, sorted by group: user+system CPU in clock ticks of the process's
# threads, summed per name without its trailing number (the kernel keeps 15 characters of a name:
# reactor-http-epoll-1 and -2 are both reactor-http-ep; "GC Thread#0" is GC_Thread); nothing when unknown
thread_ticks() {
  local t name stat f
  [[ -n "${1:-}" && -d "/proc/$1/task" ]] || return 0
  for t in /proc/"$1"/task/*; do
    name="$(cat "$t/comm" 2>/dev/null)" && stat="$(cat "$t/stat" 2>/dev/null)" || continue
    read -r -a f <<<"${stat##*) }" # after "tid (comm) ": state is field 0, utime 11, stime 12
    printf '%s\t%s\n' "$name" "$((f[11] + f[12]))"
  done | awk -F'\t' '{ g = $1; sub(/[-#]?[0-9]+$/, "", g); gsub(/ /, "_", g); a[g] += $2 } END { for (k in a) print k, a[k] }' | sort
}
# thread_rows BEFORE AFTER N [WAKES_BEFORE WAKES_AFTER]: markdown rows "| group | µs |" of CPU µs per request
# between two thread_ticks, largest first, groups under 1 µs left out (a thread that started or ended between the
# two is not counted); with two thread_wakes also, a third column: the group's wake-ups per request
thread_rows() {
  local wakes=""
  [[ -n "${4:-}" ]] && wakes="$(join <(printf '%s\n' "$4") <(printf '%s\n' "${5:-}") | awk -v n="$3" 'n > 0 { printf "%s %.2f\n", $1, ($3 - $2) / n }')"
  join <(printf '%s\n' "$1") <(printf '%s\n' "$2") | WAKES="$wakes" awk -v n="$3" -v hz="$(getconf CLK_TCK)" '
    BEGIN { m = split(ENVIRON["WAKES"], l, "\n"); for (i = 1; i <= m; i++) { split(l[i], f, " "); w[f[1]] = f[2] } }
    n > 0 { d = ($3 - $2) * 1e6 / hz / n; if (d >= 1) printf "%.1f %s %s\n", d, $1, ($1 in w ? w[$1] : "-") }' |
    sort -nr | awk -v wakes="${4:+1}" '{ if (wakes) printf "| %s | %s | %s |\n", $2, $1, $3; else printf "| %s | %s |\n", $2, $1 }'
}
# thread_wakes PID: "<group> <count>" lines, sorted by group, as thread_ticks: the voluntary context switches so
# far of the process's threads. A thread switches out voluntarily each time it goes to sleep to wait (a park, an
# epoll or futex wait), so between two marks this counts its wake-ups: the thread hand-offs a call costs,
# steadier than CPU between runs
thread_wakes() {
  local t name v k val
  [[ -n "${1:-}" && -d "/proc/$1/task" ]] || return 0
  for t in /proc/"$1"/task/*; do
    name="$(cat "$t/comm" 2>/dev/null)" || continue
    v=0
    while read -r k val; do [[ "$k" == voluntary_ctxt_switches: ]] && { v="$val"; break; }; done <"$t/status" 2>/dev/null
    printf '%s\t%s\n' "$name" "$v"
  done | awk -F'\t' '{ g = $1; sub(/[-#]?[0-9]+$/, "", g); gsub(/ /, "_", g); a[g] += $2 } END { for (k in a) print k, a[k] }' | sort
}
# median VALUES...: the middle value (the mean of the two middle ones for an even count; "-" for none)
median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# jit_ticks PID: CPU clock ticks so far of the JVM's JIT compiler threads (C1 and C2), 0 when unknown
jit_ticks() {
  thread_ticks "${1:-}" | awk '$1 ~ /^C[12]_CompilerThre/ { s += $2 } END { print s + 0 }'
}
# redis_cli ARGS...: the edge's Redis, read-only uses (INFO, SCAN); fails when redis-cli is missing
redis_cli() { have redis-cli && redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@" 2>/dev/null; }

# ---------------------------------------------------------------- the stack, the tools
stack_healthy() {
  local port
  for port in "$SIM_PORT" "$COMMAND_PORT" "$EDGE_PORT"; do
    health_up "$port" || return 1
  done
}
# check_stack: JDK, curl, jq; the stack healthy (or started when BENCH_START=1); sets EDGE_PID,
# EDGE_RSS_START, EDGE_UPTIME and LLMPROXY_ADMIN_TOKEN
check_stack() {
  llmproxy_pick_jdk >/dev/null 2>&1 || die "a JDK 21+ is needed for bench/StreamBench.java (see infra/local/up.sh)"
  have curl || die "curl is needed"
  have jq || have python3 || die "jq or python3 is needed to read the admin API's JSON"
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
    local token_file="$LLMPROXY_STATE_DIR/admin-token"
    [[ -s "$token_file" ]] || die "LLMPROXY_ADMIN_TOKEN is not set and $token_file does not exist (run infra/local/up.sh first)"
    LLMPROXY_ADMIN_TOKEN="$(tr -d '[:space:]' <"$token_file")"
  fi
}

# install_tools PACKAGE...: apt-get install (root only)
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
# ensure_tools TOOL...: installs those of the given tools (Debian package = command) that are missing
ensure_tools() {
  local t missing=()
  for t in "$@"; do
    have "$t" || [[ " ${missing[*]} " == *" $t "* ]] || missing+=("$t")
  done
  ((${#missing[@]} == 0)) || install_tools "${missing[@]}"
}

compile_stream_client() {
  log "compiling bench/StreamBench.java"
  "$JAVA_HOME/bin/javac" -d "$WORK/classes" "$BENCH_DIR/StreamBench.java" || die "javac bench/StreamBench.java failed"
  STREAM_CLIENT=("$JAVA_HOME/bin/java" -Xms256m -Xmx1g -cp "$WORK/classes" StreamBench)
}

# pick_prompt: the simulator's answer length is fixed by the prompt (8..47 tokens): picks the
# longest of a few. Sets PROMPT, TOKENS, CHAT_BODY_DIRECT and CHAT_BODY_EDGE (model bench-model).
pick_prompt() {
  local i p t
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
  log "prompt \"$PROMPT\": $TOKENS completion tokens"
  CHAT_BODY_DIRECT="{\"model\":\"$UPSTREAM_MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"$PROMPT\"}]}"
  CHAT_BODY_EDGE="{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"$PROMPT\"}]}"
}

# ---------------------------------------------------------------- the load side
# shellcheck source=lib-load.sh
source "$BENCH_DIR/lib-load.sh"
