#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `streams` (issue #16): the stream measurement at 20 and then 200 concurrent streams
# (BENCH_STREAMS_LEVELS), each straight to the stream simulator and then through the edge, with
# the stream scenario's simulator, route and client (it builds on scenarios/stream.sh). Per level:
# added time to first token p50/p99 (edge − direct), added largest inter-chunk gap p50/p99 (each
# stream's worst stall after its first content event), streams dropped or incomplete (must be 0),
# and the edge's CPU per forwarded chunk (utime+stime from /proc/<edge pid>/stat over the measured
# edge run ÷ the SSE data events its streams delivered; beside it, the simulator's CPU per chunk in the direct run).  Sourced by bench/run.sh after
# bench/lib.sh and scenarios/stream.sh; report section 7.
# Settings: BENCH_STREAMS_LEVELS ("20 200"), BENCH_STREAMS_PER_LEVEL (1000 measured streams per
# level and target, at least the level), BENCH_STREAMS_WARMUP (400 unmeasured streams first, in the
# same client JVM), and the stream simulator's BENCH_STREAM_TTFT_MS / BENCH_STREAM_INTER_TOKEN_MS.

# without `stream`, this scenario starts and routes the stream simulator itself
streams_start() { wants stream || stream_start; }
streams_routes() { wants stream || stream_routes; }
streams_ready() { wants stream || stream_ready; }

STREAMS_ROWS="" STREAMS_VERDICT=""
# streams_run: each level, direct then through the edge; sets STREAMS_ROWS and STREAMS_VERDICT
streams_run() {
  local level total d e ttft50 ttft99 gap50 gap99 lost chunks_note verdicts=()
  log "streams: levels ${STREAMS_LEVELS[*]}, $STREAMS_PER_LEVEL streams per level and target (after $STREAMS_WARMUP warm-up streams); simulator ttft ${STREAM_TTFT} ms, inter-token ${STREAM_ITL} ms"
  for level in "${STREAMS_LEVELS[@]}"; do
    total=$((STREAMS_PER_LEVEL > level ? STREAMS_PER_LEVEL : level))
    d="streams-$level-direct" e="streams-$level-edge"
    streambench "$d" "$STREAM_DIRECT_URL" "$SIM_KEY" "$UPSTREAM_MODEL" "$level" "$total" "$STREAMS_WARMUP" "$STREAM_SIM_PID"
    streambench "$e" "$EDGE_URL" "$API_KEY" bench-stream "$level" "$total" "$STREAMS_WARMUP" "$STREAM_SIM_PID"
    ttft50="$(diff_ms "$(stream_get "$e" ttft_p50)" "$(stream_get "$d" ttft_p50)")"
    ttft99="$(diff_ms "$(stream_get "$e" ttft_p99)" "$(stream_get "$d" ttft_p99)")"
    gap50="$(diff_ms "$(stream_get "$e" gap_p50)" "$(stream_get "$d" gap_p50)")"
    gap99="$(diff_ms "$(stream_get "$e" gap_p99)" "$(stream_get "$d" gap_p99)")"
    # dropped or incomplete: transport failure, non-200, no [DONE] or no content (StreamBench's errors)
    lost="$(stream_get "$e" errors)"
    chunks_note="$(stream_get "$e" chunks_min)–$(stream_get "$e" chunks_max) (direct $(stream_get "$d" chunks_min)–$(stream_get "$d" chunks_max))"
    STREAMS_ROWS+="| $level | $total | **$ttft50** | **$ttft99** | $gap50 | **$gap99** | **$lost** (direct $(stream_get "$d" errors)) | $chunks_note | $(stream_get "$e" chunks) | **$(stream_get "$e" cpu_edge_us_chunk)** | $(stream_get "$d" cpu_sim_us_chunk) | $(cpu_get "$e" edge) | $(stream_get "$d" ttft_p50) / $(stream_get "$e" ttft_p50) | $(stream_get "$d" gap_p99) / $(stream_get "$e" gap_p99) |
"
    verdicts+=("at $level: added TTFT p50 $ttft50 ms$( ((level == 20)) && echo " (target ≤ 2: $(verdict "$ttft50" 2))"), added largest gap p99 $gap99 ms (target ≤ 5: $(verdict "$gap99" 5)), $lost dropped or incomplete (target 0: $(verdict "$lost" 0)), edge CPU $(stream_get "$e" cpu_edge_us_chunk) µs per chunk (target ≤ 15: $(verdict "$(stream_get "$e" cpu_edge_us_chunk)" 15))")
    log "streams: ${verdicts[-1]}"
  done
  STREAMS_VERDICT="$(printf '%s; ' "${verdicts[@]}" | sed 's/; $//')"
}

# streams_report: section 7 of the report
streams_report() {
  [[ -n "$STREAMS_ROWS" ]] || return 0
  printf '## 7. Streams at %s concurrent streams (simulator ttft %s ms, inter-token %s ms, %s tokens; %s warm-up streams per run)\n\n' \
    "$(printf '%s' "${STREAMS_LEVELS[*]}" | sed 's/ / and /g')" "$STREAM_TTFT" "$STREAM_ITL" "$TOKENS" "$STREAMS_WARMUP"
  printf '| concurrent streams | streams per target | **added TTFT p50 ms** | **added TTFT p99 ms** | added largest gap p50 ms | **added largest gap p99 ms** | **edge streams dropped or incomplete** | chunks per stream, edge | chunks through the edge | **edge CPU µs per chunk** | simulator CPU µs per chunk (direct) | edge CPU µs per stream | TTFT p50 ms direct / edge | largest gap p99 ms direct / edge |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$STREAMS_ROWS"
  # shellcheck disable=SC2016  # backquotes are markdown
  printf 'Targets (issue #16): at 20 concurrent streams the added TTFT is ≤ 2 ms at p50; the added largest inter-chunk gap is ≤ 5 ms at p99; at 200 nothing is dropped; edge CPU per forwarded chunk ≤ 15 µs. This run: %s. Added = edge − direct at the same level. Largest gap = per stream, the longest time between two consecutive SSE data events after the first content event (the simulator sends one every %s ms); its percentiles are over the streams. Dropped or incomplete = transport failures, non-200 answers, streams without `[DONE]` or without content (bench/StreamBench.java). CPU per chunk = the edge'"'"'s utime+stime over the measured edge run ÷ the data events its streams delivered: it includes each stream'"'"'s per-request work (auth, routing, usage event) and background work, spread over ~%s chunks per stream. The simulator'"'"'s CPU per chunk in the direct run is the same measure for a process that only writes each chunk (one Reactor Netty server, no provider connection): a floor of what one JVM spends per chunk on this machine, against which the edge reads each chunk from one connection and writes it to another.\n\n' \
    "$STREAMS_VERDICT" "$STREAM_ITL" "$((TOKENS + 3))"
}
