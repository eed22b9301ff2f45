#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `max`: closed-loop maximum throughput (wrk), non-streamed, straight to the simulator and
# through the edge, same requests as `rate`.  Sourced by bench/run.sh after bench/lib.sh; report
# section 4.  Settings: BENCH_MAX_DURATION, BENCH_MAX_CONNECTIONS.

max_needs() { echo wrk; }

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
MAX_ROWS=""
max_run() {
  local n rps p50 p90 p99 mx tot bad label
  wrk_run direct "$SIM_URL/v1/chat/completions" "$SIM_KEY" "$CHAT_BODY_DIRECT"
  wrk_run edge "$EDGE_URL/v1/chat/completions" "$API_KEY" "$CHAT_BODY_EDGE"
  for n in direct edge; do
    read -r rps p50 p90 p99 mx tot bad <<<"$(wrk_parse $n)"
    label="simulator direct"
    [[ "$n" == edge ]] && label="through proxy-edge"
    MAX_ROWS+="| $label | $MAX_CONNS | $rps | $tot | $p50 | $p90 | $p99 | $mx | $bad |
"
  done
}

# max_report: section 4 of the report
max_report() {
  [[ -n "$MAX_ROWS" ]] || return 0
  printf '## 4. Maximum throughput, non-streamed, closed loop (wrk, %s s, %s connections)\n\n' "$MAX_DURATION" "$MAX_CONNS"
  printf '| target | connections | req/s | requests | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|---|---|---|\n%s\n' "$MAX_ROWS"
  printf 'On a small machine this mostly shows how the cores are shared between wrk, the edge and the simulator.\n\n'
}
