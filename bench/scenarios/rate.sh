#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `rate`: non-streamed chat completions at a fixed rate (hey), straight to the simulator
# and then through the edge: p50/p90/p99/max, achieved req/s, errors, and the CPU per request of
# the simulator, the edge and Redis.  With `quota`, the quota run (scenarios/quota.sh) follows the
# edge run and shares its direct baseline.  Sourced by bench/run.sh after bench/lib.sh.
# Settings: BENCH_RATE, BENCH_CONNECTIONS, BENCH_DURATION, BENCH_WARMUP.

rate_needs() { echo hey; }

QPS="$(qps "$RATE" "$CONNS")"
# hey_run NAME URL KEY BODY: warm-up, then the measured run; output in $WORK/hey-NAME.txt
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

RATE_ROWS="" RATE_DELTA="" RATE_THREADS=""
# rate_run: the direct run, the edge run (and, with quota, the quota run); sets RATE_ROWS and RATE_DELTA
rate_run() {
  sim_pid="$(llmproxy_service_pid upstream-simulator || true)"
  t_sim0="$(cpu_ticks "$sim_pid")"
  hey_run direct "$SIM_URL/v1/chat/completions" "$SIM_KEY" "$CHAT_BODY_DIRECT"
  t_sim1="$(cpu_ticks "$sim_pid")" t_edge1="$(cpu_ticks "$EDGE_PID")" th_edge1="$(thread_ticks "$EDGE_PID")"
  r_edge0="$(redis_stats)"
  hey_run edge "$EDGE_URL/v1/chat/completions" "$API_KEY" "$CHAT_BODY_EDGE"
  t_sim2="$(cpu_ticks "$sim_pid")" t_edge2="$(cpu_ticks "$EDGE_PID")" th_edge2="$(thread_ticks "$EDGE_PID")"
  r_edge1="$(redis_stats)"
  read -r d_rps d_p50 d_p90 d_p99 d_max d_n d_err <<<"$(hey_parse direct)"
  read -r e_rps e_p50 e_p90 e_p99 e_max e_n e_err <<<"$(hey_parse edge)"
  # warm-up requests are counted too: ticks / (rate x (warm-up + measured seconds)) is close enough
  d_sim_cpu="$(cpu_per_req "$t_sim0" "$t_sim1" "$(hey_parse_n direct-warmup)" "$d_n")"
  e_sim_cpu="$(cpu_per_req "$t_sim1" "$t_sim2" "$(hey_parse_n edge-warmup)" "$e_n")"
  e_edge_cpu="$(cpu_per_req "$t_edge1" "$t_edge2" "$(hey_parse_n edge-warmup)" "$e_n")"
  read -r e_lua _ e_redis_cpu <<<"$(redis_delta "$r_edge0" "$r_edge1" $(($(hey_parse_n edge-warmup) + e_n)))"
  RATE_THREADS="$(thread_rows "$th_edge1" "$th_edge2" $(($(hey_parse_n edge-warmup) + e_n)))"
  e_label="through proxy-edge"
  wants quota && e_label="through proxy-edge, no quota policy"
  RATE_ROWS="| simulator direct | $d_rps | $d_n | $d_p50 | $d_p90 | $d_p99 | $d_max | $d_err | $d_sim_cpu | | |
| $e_label | $e_rps | $e_n | $e_p50 | $e_p90 | $e_p99 | $e_max | $e_err | $e_sim_cpu | $e_edge_cpu | $e_lua / $e_redis_cpu |
"
  pairs=("simulator direct:$d_rps" "proxy-edge:$e_rps")
  if wants quota; then
    quota_measure   # scenarios/quota.sh: the quota run, its row, and "proxy-edge with quotas" in pairs
  fi
  RATE_ROWS+="| **edge − direct**$(wants quota && echo ', no quota policy') | | | **$(diff_ms "$e_p50" "$d_p50")** | $(diff_ms "$e_p90" "$d_p90") | **$(diff_ms "$e_p99" "$d_p99")** | $(diff_ms "$e_max" "$d_max") | | | | |"
  RATE_DELTA="added p50 $(diff_ms "$e_p50" "$d_p50") ms (target ≤ 0.5: $(verdict "$(diff_ms "$e_p50" "$d_p50")" 0.5)), added p99 $(diff_ms "$e_p99" "$d_p99") ms (target ≤ 2: $(verdict "$(diff_ms "$e_p99" "$d_p99")" 2))"
  if wants quota; then
    quota_rows      # scenarios/quota.sh: the two difference rows, RATE_DELTA with quotas, QUOTA_NOTE
  fi
  for pair in "${pairs[@]}"; do
    if awk -v a="${pair##*:}" -v r="$RATE" 'BEGIN { exit !(a < 0.95 * r) }'; then
      RATE_DELTA+="; **$(printf '%s' "${pair%%:*}") did not sustain $RATE req/s** (${pair##*:} achieved: each hey worker waits for its answer before its next tick, so the latencies above understate what a real $RATE req/s would see)"
    fi
  done
  log "rate: $RATE_DELTA"
}

# rate_report: section 1 of the report (with the quota rows and note when quota ran)
rate_report() {
  [[ -n "$RATE_ROWS" ]] || return 0
  printf '## 1. Added latency, non-streamed, %s req/s for %s s (hey, %s workers × %s req/s; warm-up %s s)\n\n' "$RATE" "$DURATION" "$CONNS" "$QPS" "$WARMUP"
  printf '| target | achieved req/s | requests | p50 ms | p90 ms | p99 ms | max ms | errors | simulator CPU µs/req | edge CPU µs/req | Redis Lua calls / CPU µs per req |\n|---|---|---|---|---|---|---|---|---|---|---|\n%s\n\n' "$RATE_ROWS"
  printf 'Target (DESIGN): added p50 ≤ 0.5 ms, added p99 ≤ 2 ms at 1,000 req/s. This run: %s. hey reports latencies to 0.1 ms.\n\n' "$RATE_DELTA"
  if [[ -n "$RATE_THREADS" ]]; then
    printf 'The edge'"'"'s CPU per request by thread, same window as its column above (/proc/<pid>/task/*/stat; a name without its number is the group of its threads, as the kernel cuts names to 15 characters: reactor-http-ep = the event loops; C1/C2 = the JIT, still at work when it shows; steadier than the whole process between runs, so compare a change here):\n\n| edge thread | CPU µs/req |\n|---|---|\n%s\n\n' "$RATE_THREADS"
  fi
  [[ -z "${QUOTA_NOTE:-}" ]] || printf '%s\n\n' "$QUOTA_NOTE"
}
