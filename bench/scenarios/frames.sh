#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `frames` (issue #16): the same non-streamed chat completion at BENCH_RATE through the
# edge's two HTTP frames, in interleaved rounds, so that what the frame costs is the difference:
#   netty   POST /v1/chat/completions: the exact path, served on Reactor Netty's own routes
#           (proxy-edge http/NettyFrame.java), as every SDK call is;
#   spring  POST /v1/chat/completions?frame=spring: a query string sends the same call to Spring
#           WebFlux's DispatcherHandler and functional routes (the frame of every request NettyFrame
#           leaves: browsers, other spellings, other methods), which run the same gateway handler.
# Reports per round and frame: achieved req/s, p50, p99, errors and the edge's CPU µs per call
# (from /proc, measured run only), then the median of each frame and their difference.
# Builds on `rate` (its hey_run). Settings: BENCH_FRAMES_ROUNDS (3), with BENCH_RATE, BENCH_CONNECTIONS,
# BENCH_DURATION and BENCH_WARMUP.

frames_needs() { echo hey; }

FRAMES_ROUNDS="${BENCH_FRAMES_ROUNDS:-3}"
FRAMES_ROWS="" FRAMES_SUMMARY=""

frames_run() {
  local r name url rps p50 p99 n err cpu
  local -A cpus=() p50s=() p99s=()
  for ((r = 1; r <= FRAMES_ROUNDS; r++)); do
    for name in netty spring; do
      url="$EDGE_URL/v1/chat/completions"
      [[ "$name" == spring ]] && url+="?frame=spring"
      hey_run "frames-$name-$r" "$url" "$API_KEY" "$CHAT_BODY_EDGE" "$EDGE_PID"
      read -r rps p50 _ p99 _ n err <<<"$(hey_parse "frames-$name-$r")"
      cpu="$(cpu_per_req "$HEY_EDGE0" "$HEY_EDGE1" 0 "$n")"
      FRAMES_ROWS+="| $r | $name | $rps | $n | $p50 | $p99 | $err | $cpu |"$'\n'
      cpus[$name]+="$cpu " p50s[$name]+="$p50 " p99s[$name]+="$p99 "
    done
  done
  local nc sc
  # shellcheck disable=SC2086  # one value per word
  nc="$(median ${cpus[netty]})" sc="$(median ${cpus[spring]})"
  # shellcheck disable=SC2086
  FRAMES_ROWS+="| median | netty | | | $(median ${p50s[netty]}) | $(median ${p99s[netty]}) | | **$nc** |"$'\n'
  # shellcheck disable=SC2086
  FRAMES_ROWS+="| median | spring | | | $(median ${p50s[spring]}) | $(median ${p99s[spring]}) | | **$sc** |"$'\n'
  FRAMES_SUMMARY="edge CPU per call, median of $FRAMES_ROUNDS rounds: $nc µs on the Netty frame, $sc µs on Spring's: the frame change saves $(awk -v a="$sc" -v b="$nc" 'BEGIN { if (a == "-" || b == "-") print "-"; else print a - b }') µs per call (target for the whole call: ≤ 120 µs, $(verdict "$nc" 120))"
  log "frames: $FRAMES_SUMMARY"
}

frames_report() {
  [[ -n "$FRAMES_ROWS" ]] || return 0
  printf '## Frames: the same call on the Netty frame and on Spring WebFlux, %s req/s for %s s per run (hey, %s workers; warm-up %s s; %s interleaved rounds)\n\n' "$RATE" "$DURATION" "$CONNS" "$WARMUP" "$FRAMES_ROUNDS"
  printf '| round | frame | achieved req/s | requests | p50 ms | p99 ms | errors | edge CPU µs/call |\n|---|---|---|---|---|---|---|---|\n%s\n' "$FRAMES_ROWS"
  printf '%s. `netty` = `POST /v1/chat/completions` (NettyFrame, what SDKs call); `spring` = the same with `?frame=spring` (DispatcherHandler, the same gateway handler). CPU µs/call = the edge'"'"'s utime+stime from /proc over the measured run only ÷ its calls.\n\n' "$FRAMES_SUMMARY"
}
