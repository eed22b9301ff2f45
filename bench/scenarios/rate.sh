#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `rate`: non-streamed chat completions at a fixed rate (hey), straight to the simulator
# and then through the edge: p50/p90/p99/max, achieved req/s, errors, and the CPU per request of
# the simulator, the edge and Redis.  With `quota`, the quota run (scenarios/quota.sh) follows the
# edge run and shares its direct baseline.  Sourced by bench/run.sh after bench/lib.sh.
# Settings: BENCH_RATE, BENCH_CONNECTIONS, BENCH_DURATION, BENCH_WARMUP, BENCH_JIT_QUIET_MAX.

rate_needs() { echo hey; }

QPS="$(qps "$RATE" "$CONNS")"
declare -A HEY_WARM_EXTRA=()
HEY_SIM0=0 HEY_SIM1=0 HEY_EDGE0=0 HEY_EDGE1=0 HEY_TH0="" HEY_TH1="" HEY_TW0="" HEY_TW1="" HEY_REDIS0="" HEY_REDIS1=""
# hey_cpu_mark N: CPU so far of the simulator and the edge, the edge's threads and Redis, as HEY_SIM<N>,
# HEY_EDGE<N>, HEY_TH<N>, HEY_REDIS<N>, and the edge's voluntary context switches by thread group as HEY_TW<N>
# (clock ticks; thread_ticks lines; redis_stats; thread_wakes lines)
hey_cpu_mark() {
  local sim
  sim="$(llmproxy_service_pid upstream-simulator || true)"
  printf -v "HEY_SIM$1" '%s' "$(cpu_ticks "$sim")"
  printf -v "HEY_EDGE$1" '%s' "$(cpu_ticks "${EDGE_PID:-}")"
  printf -v "HEY_TH$1" '%s' "$(thread_ticks "${EDGE_PID:-}")"
  printf -v "HEY_TW$1" '%s' "$(thread_wakes "${EDGE_PID:-}")"
  printf -v "HEY_REDIS$1" '%s' "$(redis_stats)"
}
# hey_run NAME URL KEY BODY [JVM_PID]: warm-up, then the measured run; output in $WORK/hey-NAME.txt.
# With JVM_PID (the JVM under test), the warm-up goes on in 5 s slices at the same rate for as long as
# that JVM's JIT compiler threads spent more than 2% of a core in the last slice (at most
# BENCH_JIT_QUIET_MAX extra seconds), so that the measured run is warm and its CPU is the call's, not
# the compiler's; the extra seconds go to HEY_WARM_EXTRA[NAME]. hey_cpu_mark 0 runs after the
# warm-up and hey_cpu_mark 1 after the measured run: CPU figures cover the measured requests only.
hey_run() {
  local name="$1" url="$2" key="$3" body="$4" jvm="${5:-}" extra=0 j0 j1 hz
  local args=(-c "$CONNS" -q "$QPS" -t 10 -m POST -T application/json -H "Authorization: Bearer $key" -d "$body" "$url")
  log "rate/$name: warm-up ${WARMUP}s (longer while the JIT is at work), then ${DURATION}s at $RATE req/s ($CONNS workers x $QPS req/s)"
  : >"$WORK/hey-$name-warmup.txt"
  if ((WARMUP > 0)); then
    hey -z "${WARMUP}s" "${args[@]}" >>"$WORK/hey-$name-warmup.txt" 2>&1 || true
  fi
  if [[ -n "$jvm" ]] && ((JIT_QUIET_MAX > 0)); then
    hz="$(getconf CLK_TCK)"
    while ((extra < JIT_QUIET_MAX)); do
      j0="$(jit_ticks "$jvm")"
      hey -z 5s "${args[@]}" >>"$WORK/hey-$name-warmup.txt" 2>&1 || true
      extra=$((extra + 5)) j1="$(jit_ticks "$jvm")"
      (((j1 - j0) * 100 < 2 * 5 * hz)) && break # under 2% of one core over the 5 s
    done
  fi
  HEY_WARM_EXTRA[$name]="$extra"
  COMMANDS+=("hey -z ${DURATION}s -c $CONNS -q $QPS -t 10 -m POST -T application/json -H 'Authorization: Bearer ${key:0:8}...' -d '$body' $url")
  hey_cpu_mark 0
  hey -z "${DURATION}s" "${args[@]}" >"$WORK/hey-$name.txt" 2>&1 || die "hey failed: $(tail -5 "$WORK/hey-$name.txt")"
  hey_cpu_mark 1
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
  hey_run direct "$SIM_URL/v1/chat/completions" "$SIM_KEY" "$CHAT_BODY_DIRECT" "$sim_pid"
  read -r d_rps d_p50 d_p90 d_p99 d_max d_n d_err <<<"$(hey_parse direct)"
  d_sim_cpu="$(cpu_per_req "$HEY_SIM0" "$HEY_SIM1" 0 "$d_n")"
  hey_run edge "$EDGE_URL/v1/chat/completions" "$API_KEY" "$CHAT_BODY_EDGE" "$EDGE_PID"
  read -r e_rps e_p50 e_p90 e_p99 e_max e_n e_err <<<"$(hey_parse edge)"
  e_sim_cpu="$(cpu_per_req "$HEY_SIM0" "$HEY_SIM1" 0 "$e_n")"
  e_edge_cpu="$(cpu_per_req "$HEY_EDGE0" "$HEY_EDGE1" 0 "$e_n")"
  read -r e_lua _ e_redis_cpu <<<"$(redis_delta "$HEY_REDIS0" "$HEY_REDIS1" "$e_n")"
  RATE_THREADS="$(thread_rows "$HEY_TH0" "$HEY_TH1" "$e_n" "$HEY_TW0" "$HEY_TW1")"
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
  printf '## 1. Added latency, non-streamed, %s req/s for %s s (hey, %s workers × %s req/s; warm-up %s s, then 5 s more at a time while the JIT is at work: %s s more direct, %s s through the edge)\n\n' "$RATE" "$DURATION" "$CONNS" "$QPS" "$WARMUP" "${HEY_WARM_EXTRA[direct]:-0}" "${HEY_WARM_EXTRA[edge]:-0}"
  printf '| target | achieved req/s | requests | p50 ms | p90 ms | p99 ms | max ms | errors | simulator CPU µs/req | edge CPU µs/req | Redis Lua calls / CPU µs per req |\n|---|---|---|---|---|---|---|---|---|---|---|\n%s\n\n' "$RATE_ROWS"
  printf 'Target (DESIGN): added p50 ≤ 0.5 ms, added p99 ≤ 2 ms at 1,000 req/s. This run: %s. hey reports latencies to 0.1 ms.\n\n' "$RATE_DELTA"
  if [[ -n "$RATE_THREADS" ]]; then
    printf 'The edge'"'"'s CPU per request by thread, same window as its column above: the measured run only, without its warm-up (/proc/<pid>/task/*/stat; a name without its number is the group of its threads, as the kernel cuts names to 15 characters: reactor-http-ep = the event loops; C1/C2 = the JIT (the warm-up goes on until it spends under 2%% of a core, at most BENCH_JIT_QUIET_MAX s more); steadier than the whole process between runs, so compare a change here; wake-ups = the group'"'"'s voluntary context switches per request, /proc/<pid>/task/*/status: each is a thread going to sleep to wait, so they count the thread hand-offs a call costs):\n\n| edge thread | CPU µs/req | wake-ups/req |\n|---|---|---|\n%s\n\n' "$RATE_THREADS"
  fi
  if [[ -n "${QUOTA_THREADS:-}" ]]; then
    printf 'The same for the quota run (the quota'"'"'s Lua calls go out and come back on the event loops, which Redisson shares; `redisson-netty` = Redisson'"'"'s own connection threads, in a build before that):\n\n| edge thread, quota policies | CPU µs/req | wake-ups/req |\n|---|---|---|\n%s\n\n' "$QUOTA_THREADS"
  fi
  [[ -z "${QUOTA_NOTE:-}" ]] || printf '%s\n\n' "$QUOTA_NOTE"
}
