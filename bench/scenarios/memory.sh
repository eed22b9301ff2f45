#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `memory`: many long concurrent streams straight to a slow simulator
# (:BENCH_SLOW_SIM_PORT) and then through the edge (route bench-slow): the edge's RSS before, at
# peak (sampled every 0.2 s), VmHWM and after; its file descriptors; heap, non-heap and threads
# from /actuator/metrics.  Sourced by bench/run.sh after bench/lib.sh; report section 3.
# Settings: BENCH_MEM_STREAMS, BENCH_MEM_STREAM_SECONDS, BENCH_MEM_RAMP_SECONDS,
# BENCH_STREAM_TTFT_MS, BENCH_SLOW_SIM_PORT.

SLOW_SIM_PID="" P_SLOW="" SLOW_ITL=0
# memory_start: the slow simulator, whose inter-token delay makes a stream last ~BENCH_MEM_STREAM_SECONDS
memory_start() {
  SLOW_ITL=$(((MEM_SECONDS * 1000 + TOKENS - 1) / TOKENS))
  start_sim "$SLOW_SIM_PORT" "$STREAM_TTFT" "$SLOW_ITL"
  SLOW_SIM_PID="${EXTRA_PIDS[-1]}"
}
memory_routes() {
  P_SLOW="$(provider bench-sim-slow "$SLOW_SIM_PORT")"
  route bench-slow "$P_SLOW"
}
memory_ready() {
  wait_sim "$SLOW_SIM_PORT" "$SLOW_SIM_PID"
  wait_edge_model bench-slow ',"max_tokens":1'
  log "the edge accepts route bench-slow"
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

MEM_ROW="" MEM_NOTE="" MEM_STREAM_ROWS="" MEM_JVM_ROWS=""
# memory_run: the direct run, then the edge run with the RSS sampler and the mid-run snapshot
memory_run() {
  local mem_args rss_before hwm_reset jvm_before n label rss_peak fd_peak hwm rss_after hwm_cell
  local mid_rss mid_hc mid_hu mid_nh mid_th b_hc b_hu b_nh b_th
  mem_args=("timeout_s=$((MEM_SECONDS * 6 + 60))" "ramp_ms=$((MEM_RAMP * 1000))")
  log "memory: $MEM_STREAMS concurrent streams of ~${MEM_SECONDS}s, started over ${MEM_RAMP}s (simulator ttft ${STREAM_TTFT} ms, inter-token ${SLOW_ITL} ms x $TOKENS tokens), first to the simulator directly"
  streambench memory-direct "http://127.0.0.1:$SLOW_SIM_PORT" "$SIM_KEY" "$UPSTREAM_MODEL" "$MEM_STREAMS" "$MEM_STREAMS" "short:$((MEM_STREAMS / 2))" "$SLOW_SIM_PID" "${mem_args[@]}"
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
  # shellcheck disable=SC2034  # read by streambench (bench/lib.sh)
  MEASURE_HOOK=""
  [[ -n "$EDGE_PID" ]] && MEASURE_HOOK=mem_mid_snapshot
  streambench memory-edge "$EDGE_URL" "$API_KEY" bench-slow "$MEM_STREAMS" "$MEM_STREAMS" "short:$((MEM_STREAMS / 2))" "$SLOW_SIM_PID" "${mem_args[@]}"
  # shellcheck disable=SC2034
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
}

# memory_report: section 3 of the report
memory_report() {
  [[ -n "$MEM_STREAM_ROWS" ]] || return 0
  printf '## 3. Memory: %s concurrent streams of ~%s s, started over %s s (simulator ttft %s ms, inter-token %s ms × %s tokens)\n\n' "$MEM_STREAMS" "$MEM_SECONDS" "$MEM_RAMP" "$STREAM_TTFT" "$SLOW_ITL" "$TOKENS"
  printf '| target | streams | max open | TTFT p50 ms | TTFT p99 ms | total p50 ms | total p99 ms | total max ms | wall s | errors | simulator CPU µs/stream | edge CPU µs/stream |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$MEM_STREAM_ROWS"
  if [[ -n "$MEM_ROW" ]]; then
    printf '| edge RSS MB at bench start | before the edge run | **peak (sampled every 0.2 s)** | VmHWM | 3 s after | streams open at once | max edge fds |\n|---|---|---|---|---|---|---|\n%s\n\n' "$MEM_ROW"
    printf '| edge, when | RSS MB | heap committed MB | heap used MB | non-heap used MB | live threads |\n|---|---|---|---|---|---|\n%s\n\n' "$MEM_JVM_ROWS"
    printf 'RSS beyond heap committed + non-heap is mostly native memory: Netty'"'"'s pooled direct buffers (not in the JVM'"'"'s buffer-pool metrics), thread stacks, malloc arenas, GC structures.\n\n'
  fi
  printf 'Target (DESIGN): many concurrent streams in ≤ 512 MB. This run: %s. RSS includes the JVM heap (the edge runs with the -Xmx above), metaspace, code cache, thread stacks and Netty direct buffers.\n\n' "$MEM_NOTE"
}
