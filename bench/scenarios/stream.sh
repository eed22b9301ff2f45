#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `stream`: streamed chat completions (bench/StreamBench.java) straight to a simulator with
# fixed latencies (:BENCH_STREAM_SIM_PORT) and through the edge (route bench-stream to it): a light
# run first (its TTFT difference is the verdict), then a heavy one; TTFB, TTFT, total, CPU per
# stream.  Sourced by bench/run.sh after bench/lib.sh; report section 2.
# Settings: BENCH_LIGHT_STREAMS, BENCH_LIGHT_CONCURRENCY, BENCH_STREAMS, BENCH_STREAM_CONCURRENCY,
# BENCH_STREAM_TTFT_MS, BENCH_STREAM_INTER_TOKEN_MS, BENCH_STREAM_SIM_PORT.

STREAM_SIM_PID="" P_STREAM=""
STREAM_DIRECT_URL="http://127.0.0.1:$STREAM_SIM_PORT"
# stream_start: the simulator with the stream latencies (the edge does not forward x-sim-* headers)
stream_start() { start_sim "$STREAM_SIM_PORT" "$STREAM_TTFT" "$STREAM_ITL"; STREAM_SIM_PID="${EXTRA_PIDS[-1]}"; }
stream_routes() {
  P_STREAM="$(provider bench-sim-stream "$STREAM_SIM_PORT")"
  route bench-stream "$P_STREAM"
}
stream_ready() {
  wait_sim "$STREAM_SIM_PORT" "$STREAM_SIM_PID"
  wait_edge_model bench-stream ',"max_tokens":1'
  log "the edge accepts route bench-stream"
}

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
# stream_run: the light run, then the heavy run, each direct then through the edge
stream_run() {
  local dt50 dt99 ht50 ht99
  SWARM=1000
  log "stream: light load first, $LIGHT_STREAMS streams $LIGHT_CONC at a time (after $SWARM warm-up streams); simulator ttft ${STREAM_TTFT} ms, inter-token ${STREAM_ITL} ms"
  streambench light-direct "$STREAM_DIRECT_URL" "$SIM_KEY" "$UPSTREAM_MODEL" "$LIGHT_CONC" "$LIGHT_STREAMS" "$SWARM" "$STREAM_SIM_PID"
  streambench light-edge "$EDGE_URL" "$API_KEY" bench-stream "$LIGHT_CONC" "$LIGHT_STREAMS" "$SWARM" "$STREAM_SIM_PID"
  log "stream: then $STREAMS streams, $STREAM_CONC at a time"
  streambench stream-direct "$STREAM_DIRECT_URL" "$SIM_KEY" "$UPSTREAM_MODEL" "$STREAM_CONC" "$STREAMS" 400 "$STREAM_SIM_PID"
  streambench stream-edge "$EDGE_URL" "$API_KEY" bench-stream "$STREAM_CONC" "$STREAMS" 400 "$STREAM_SIM_PID"
  stream_rows light-direct light-edge "$LIGHT_CONC at a time"
  stream_rows stream-direct stream-edge "$STREAM_CONC at a time"
  dt50="$(diff_ms "$(stream_get light-edge ttft_p50)" "$(stream_get light-direct ttft_p50)")"
  dt99="$(diff_ms "$(stream_get light-edge ttft_p99)" "$(stream_get light-direct ttft_p99)")"
  ht50="$(diff_ms "$(stream_get stream-edge ttft_p50)" "$(stream_get stream-direct ttft_p50)")"
  ht99="$(diff_ms "$(stream_get stream-edge ttft_p99)" "$(stream_get stream-direct ttft_p99)")"
  STREAM_DELTA="added TTFT at $LIGHT_CONC streams at a time: p50 $dt50 ms (target ≤ 1: $(verdict "$dt50" 1)), p99 $dt99 ms; at $STREAM_CONC at a time: p50 $ht50 ms, p99 $ht99 ms"
  log "stream: $STREAM_DELTA"
}

# stream_report: section 2 of the report
stream_report() {
  [[ -n "$STREAM_ROWS" ]] || return 0
  printf '## 2. Streams: %s streams %s at a time, then %s streams %s at a time (simulator ttft %s ms, inter-token %s ms, %s tokens)\n\n' "$LIGHT_STREAMS" "$LIGHT_CONC" "$STREAMS" "$STREAM_CONC" "$STREAM_TTFT" "$STREAM_ITL" "$TOKENS"
  printf '| target, load | streams | max open | streams/s | TTFT p50 ms | TTFT p90 ms | TTFT p99 ms | total p50 ms | total p99 ms | errors | simulator CPU µs/stream | edge CPU µs/stream |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$STREAM_ROWS"
  printf 'Target (DESIGN): time to first token + ≤ 1 ms. This run: %s. TTFT = request sent → first SSE event with non-empty delta content (here it arrives in the same read as the first byte), measured by bench/StreamBench.java. The simulator sleeps ttft before its first event, so TTFT ≥ ttft; at high concurrency the 2 cores are saturated and the difference is mostly queueing.\n\n' "$STREAM_DELTA"
}
