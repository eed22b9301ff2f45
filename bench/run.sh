#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Benchmark harness: the same load against the upstream simulator directly and through
# proxy-edge, in one run, so that the edge's added latency is the difference.  See
# bench/README.md.  Start the stack first:   infra/local/up.sh && bench/run.sh
#
# Scenarios (BENCH_SCENARIOS, default "rate quota stream memory max"; also "paths", "peers",
# "streams", "pipeline"), one
# file each under bench/scenarios/:
#   rate    non-stream chat completions at a fixed rate (hey): p50/p90/p99/max, rps, errors
#   quota   the same through the edge with the key of a second tenant with quota policies that
#           never refuse: what the quota check adds (builds on rate)
#   stream  N streamed chat completions, C at a time (bench/StreamBench.java): TTFB, TTFT, total
#   memory  many long concurrent streams through the edge: its RSS before / at peak / after
#   max     closed-loop maximum throughput (wrk)
#   paths   the rate measurement per translation path (client format × provider type), lower rate
#   peers   direct vs a rival gateway (@portkey-ai/gateway) vs the edge, in interleaved rounds
#   streams the stream measurement at 20 and 200 concurrent streams: added TTFT and largest
#           inter-chunk gap, dropped streams, edge CPU per chunk (builds on stream)
#   pipeline usage events straight to Kafka at a fixed rate (bench/Pipeline.java): consumer lag
#           over time, drain time, consumer events/s, CPU per event of query-side, PostgreSQL and
#           Kafka; exactly-once and audit-chain checks
#   frames  the same chat call on the edge's Netty frame and on Spring WebFlux's, interleaved rounds:
#           edge CPU per call and latency of each (builds on rate)
#   builds  two or more edge jars (BENCH_BUILDS="label=jar ...") side by side, interleaved rate rounds:
#           edge CPU per call (whole, event loops, journal, JIT) and latency of each (builds on rate)
# Settings (environment): see bench/lib.sh's header and bench/README.md.
#
# A scenario file defines functions named <scenario>_<phase>, each optional, which this script
# calls, for the selected scenarios, in this order:
#   _needs   prints the Debian packages (= commands) it needs (hey, wrk), installed when missing
#   _start   starts what must warm up meanwhile (extra simulators, the rival)
#   _routes  admin API: its providers and routes, before the bench API key exists
#   _ready   once the key works on bench-model: waits for its routes, probes, a second tenant
#   _prime   its own unmeasured JIT warm-up, after the common prime (lib.sh `prime`)
#   _run     the measurement; sets its report rows
#   _report  prints its section of the markdown report (stdout)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

ALL_SCENARIOS="rate quota stream memory max paths peers streams pipeline frames builds"
read -r -a SCENARIO_LIST <<<"${BENCH_SCENARIOS:-rate quota stream memory max}"
SCENARIOS=" ${SCENARIO_LIST[*]} "
for s in $SCENARIOS; do
  [[ " $ALL_SCENARIOS " == *" $s "* ]] || die "unknown scenario $s ($ALL_SCENARIOS)"
done
# the order of each phase (the report's sections are numbered in REPORT_ORDER)
SETUP_ORDER="stream streams memory paths quota rate max peers pipeline frames builds"
RUN_ORDER="rate quota paths stream streams memory max peers pipeline frames builds"
REPORT_ORDER="rate quota stream memory max paths peers streams pipeline frames builds"
# what a scenario builds on: its file is sourced too (quota's run is part of rate's; streams
# uses stream's simulator, route and client)
declare -A BUILDS_ON=([quota]=rate [streams]=stream [frames]=rate [builds]=rate)

sourced=" "
for s in "${SCENARIO_LIST[@]}"; do
  for f in ${BUILDS_ON[$s]:-} "$s"; do
    [[ "$sourced" == *" $f "* ]] && continue
    # shellcheck source=/dev/null
    source "$BENCH_DIR/scenarios/$f.sh"
    sourced+="$f "
  done
done
# phase PHASE ORDER: calls <scenario>_PHASE for each selected scenario of ORDER that defines it
phase() {
  local s
  for s in $2; do
    if wants "$s" && declare -F "${s}_$1" >/dev/null; then
      "${s}_$1"
    fi
  done
}

# ---------------------------------------------------------------- 1. stack, tools
check_stack
# shellcheck disable=SC2046  # one word per package
ensure_tools $( ((PRIME > 0)) && echo hey) $(phase needs "$SETUP_ORDER")
compile_stream_client

# ---------------------------------------------------------------- 2. prompt, extra processes
pick_prompt
phase start "$SETUP_ORDER"

# ---------------------------------------------------------------- 3. tenant, providers, routes, key
log "creating tenant, providers, routes and an API key (suffix $TS)"
TENANT_ID="$(admin POST /admin/v1/tenants "{\"name\":\"bench-$TS\"}" | json_get tenantId)"
[[ -n "$TENANT_ID" ]] || die "no tenantId"
P_MAIN="$(provider bench-sim "$SIM_PORT")"
[[ -n "$P_MAIN" ]] || die "no providerId"
route bench-model "$P_MAIN"
phase routes "$SETUP_ORDER"
API_KEY="$(admin POST "/admin/v1/tenants/$TENANT_ID/api-keys" '{"name":"bench"}' | json_get key)"
[[ -n "$API_KEY" ]] || die "no API key in the response"
wait_edge_model bench-model
log "the edge accepts the key; route bench-model works"
phase ready "$SETUP_ORDER"

# ---------------------------------------------------------------- 4. prime, scenarios
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
if ((PRIME > 0)) && have hey; then
  prime
  phase prime "$SETUP_ORDER"
fi
phase run "$RUN_ORDER"
LOAD_AT_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 5. report
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
  phase report "$REPORT_ORDER"
  printf '## Commands\n\n```sh\n'
  settings="BENCH_DURATION=$DURATION BENCH_WARMUP=$WARMUP BENCH_RATE=$RATE BENCH_CONNECTIONS=$CONNS BENCH_STREAMS=$STREAMS BENCH_STREAM_CONCURRENCY=$STREAM_CONC BENCH_STREAM_TTFT_MS=$STREAM_TTFT BENCH_STREAM_INTER_TOKEN_MS=$STREAM_ITL BENCH_LIGHT_STREAMS=$LIGHT_STREAMS BENCH_LIGHT_CONCURRENCY=$LIGHT_CONC BENCH_MEM_STREAMS=$MEM_STREAMS BENCH_MEM_STREAM_SECONDS=$MEM_SECONDS BENCH_MEM_RAMP_SECONDS=$MEM_RAMP BENCH_MAX_DURATION=$MAX_DURATION BENCH_MAX_CONNECTIONS=$MAX_CONNS BENCH_PRIME_REQUESTS=$PRIME BENCH_PATHS_RATE=$PATHS_RATE BENCH_PATHS_DURATION=$PATHS_DURATION BENCH_PATHS_WARMUP=$PATHS_WARMUP BENCH_PATHS_CONNECTIONS=$PATHS_CONNS BENCH_PATHS_PRIME=$PATHS_PRIME BENCH_PATHS='${PATH_LIST[*]}'"
  wants streams && settings+=" BENCH_STREAMS_LEVELS='${STREAMS_LEVELS[*]}' BENCH_STREAMS_PER_LEVEL=$STREAMS_PER_LEVEL BENCH_STREAMS_WARMUP=$STREAMS_WARMUP"
  wants pipeline && settings+=" BENCH_PIPELINE_RATE='${PIPELINE_RATES[*]}' BENCH_PIPELINE_SECONDS=$PIPELINE_SECONDS BENCH_PIPELINE_WARMUP=$PIPELINE_WARMUP BENCH_PIPELINE_TENANTS=$PIPELINE_TENANTS BENCH_PIPELINE_DRAIN_TIMEOUT=$PIPELINE_DRAIN_TIMEOUT BENCH_PIPELINE_GROUP=$PIPELINE_GROUP"
  wants frames && settings+=" BENCH_FRAMES_ROUNDS=$FRAMES_ROUNDS"
  wants builds && settings+=" BENCH_BUILDS='${BUILD_SPECS[*]}' BENCH_BUILDS_ROUNDS=$BUILDS_ROUNDS BENCH_BUILDS_PORT=$BUILDS_PORT BENCH_BUILDS_KEY=$BUILDS_KEY"
  wants peers && settings+=" BENCH_PEERS_ROUNDS=$PEERS_ROUNDS BENCH_PEERS_SECONDS=$PEERS_SECONDS BENCH_PEERS_RATE=$PEERS_RATE BENCH_PEERS_CONNECTIONS=$PEERS_CONNS BENCH_PEERS_WARMUP=$PEERS_WARMUP"
  printf '%s\n' "$settings BENCH_SCENARIOS='${SCENARIO_LIST[*]}' bench/run.sh"
  printf '# which ran:\n'
  printf '%s\n' "${COMMANDS[@]}"
  printf '```\n\n## Raw output\n\n'
  for f in "$WORK"/hey-direct.txt "$WORK"/hey-edge.txt "$WORK"/hey-edge-quota.txt "$WORK"/stream-*.txt "$WORK"/wrk-direct.txt "$WORK"/wrk-edge.txt "$WORK"/hey-path-*.txt "$WORK"/pipeline-[0-9]*.txt; do
    [[ -f "$f" && "$f" != *-warmup.txt ]] || continue
    # shellcheck disable=SC2016  # backquotes are markdown
    printf '<details><summary>%s</summary>\n\n```\n%s\n```\n</details>\n\n' "$(basename "$f")" "$(grep -v '^RESULT ' "$f" | sed '/^Response time histogram:/,/^$/d' | sed '/^ *$/N;/^\n$/D')"
  done
} >"$REPORT"

# stdout: the report without the raw output
sed '/^## Raw output/,$d' "$REPORT"
log "report written to ${REPORT#"$ROOT"/}"
