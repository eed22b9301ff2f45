#!/usr/bin/env bash
# shellcheck shell=bash disable=SC2034  # the figures set here are read by run.sh and bench/scenarios/*
# The load side of bench/lib.sh (which sources it at its end): the extra simulators, the edge's JVM
# figures, hey and wrk parsing, the common prime and the StreamBench runner.  Uses lib.sh's settings
# and helpers (log, die, WORK, COMMANDS, EXTRA_PIDS, health_up) and infra/local/lib.sh's port waits.

# ---------------------------------------------------------------- extra simulators
SIM_JAR=""
for jar in "$ROOT"/infra/upstream-simulator/target/upstream-simulator-*-exec.jar "$LLMPROXY_STATE_DIR/run/upstream-simulator.jar"; do
  [[ -f "$jar" ]] && { SIM_JAR="$jar"; break; }
done

# start_sim PORT TTFT ITL: a second simulator with other default latencies (the edge does not
# forward the client's x-sim-* headers, so the knobs must be the simulator's own defaults). Its
# pid is the last of EXTRA_PIDS.
start_sim() {
  local port="$1" ttft="$2" itl="$3" pid
  [[ -n "$SIM_JAR" ]] || die "no simulator jar (infra/upstream-simulator/target/*-exec.jar): build with mvn -DskipTests package"
  llmproxy_port_open 127.0.0.1 "$port" && die "port $port is in use: set BENCH_STREAM_SIM_PORT / BENCH_SLOW_SIM_PORT"
  [[ -f "$WORK/sim.jar" ]] || cp "$SIM_JAR" "$WORK/sim.jar"
  (
    cd "$WORK" || exit 1
    exec "$JAVA_HOME/bin/java" -Xmx256m -Dllmproxy.bench=sim-"$port" -jar "$WORK/sim.jar" \
      --server.port="$port" --simulator.ttft-ms="$ttft" --simulator.inter-token-ms="$itl" \
      </dev/null >"$WORK/sim-$port.log" 2>&1
  ) &
  pid=$!
  EXTRA_PIDS+=("$pid")
  COMMANDS+=("java -Xmx256m -jar $(basename "$SIM_JAR") --server.port=$port --simulator.ttft-ms=$ttft --simulator.inter-token-ms=$itl")
  log "simulator on :$port (ttft ${ttft} ms, inter-token ${itl} ms) starting, pid $pid"
}
# wait_sim PORT [PID]: until the simulator on PORT is healthy (90 s at most; sooner if PID dies)
wait_sim() {
  local port="$1" pid="${2:-}" deadline=$((SECONDS + 90))
  llmproxy_wait_port 127.0.0.1 "$port" 90 "$pid" || { llmproxy_tail_log "$WORK/sim-$port.log" 40; die "the simulator on :$port did not come up"; }
  until health_up "$port"; do
    ((SECONDS < deadline)) || { llmproxy_tail_log "$WORK/sim-$port.log" 40; die "the simulator on :$port did not come up"; }
    sleep 1
  done
}

# ---------------------------------------------------------------- the edge's figures
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

# ---------------------------------------------------------------- hey and wrk
# qps RATE WORKERS: req/s of each hey worker (integer when exact, else 3 decimals)
qps() { awk -v r="$1" -v c="$2" 'BEGIN { q = r / c; if (q == int(q)) printf "%d", q; else printf "%.3f", q }'; }
# hey_parse_n NAME: number of responses in $WORK/hey-NAME.txt (0 when absent)
hey_parse_n() {
  [[ -f "$WORK/hey-$1.txt" ]] || { echo 0; return; }
  awk '/\[[0-9]+\][[:space:]]+[0-9]+ responses/ { n += $2 } END { print n + 0 }' "$WORK/hey-$1.txt"
}
# hey_parse NAME -> "rps p50 p90 p99 max total errors" (ms) of $WORK/hey-NAME.txt
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
# hey_status FILE CODE: responses with HTTP status CODE in hey's output FILE (0 when absent)
hey_status() {
  [[ -f "$1" ]] || { echo 0; return; }
  awk -v c="[$2]" '/^Status code distribution:/ { s = 1; next } /^[A-Z]/ { s = 0 } s && $1 == c { n += $2 } END { print n + 0 }' "$1"
}
# wrk_parse NAME -> "rps p50 p90 p99 max total errors" (ms) of $WORK/wrk-NAME.txt
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

# prime: the edge's JIT needs tens of thousands of requests before its cost per request settles
# (measured on 2 busy cores: ~0.8-1 ms CPU/request cold, ~0.5-0.7 ms after 20k, ~0.35 ms after
# ~100k), far more than a few seconds of warm-up. PRIME closed-loop requests to the simulator, then
# to the edge; scenarios add theirs with a <scenario>_prime function.
prime() {
  log "prime: $PRIME closed-loop requests to the simulator, then to the edge (JIT warm-up, not measured)"
  hey -n "$PRIME" -c 8 -t 10 -m POST -T application/json -H "Authorization: Bearer $SIM_KEY" -d "$CHAT_BODY_DIRECT" \
    "$SIM_URL/v1/chat/completions" >"$WORK/prime-direct.txt" 2>&1 || true
  hey -n "$PRIME" -c 8 -t 10 -m POST -T application/json -H "Authorization: Bearer $API_KEY" -d "$CHAT_BODY_EDGE" \
    "$EDGE_URL/v1/chat/completions" >"$WORK/prime-edge.txt" 2>&1 || true
  COMMANDS+=("hey -n $PRIME -c 8 ... (prime, same requests as below, not measured)")
}

# ---------------------------------------------------------------- StreamBench
# streambench NAME URL KEY MODEL CONCURRENCY TOTAL WARMUP SIM_PID [extra args]: WARMUP unmeasured
# streams first, in the same client JVM (answers cut to 2 tokens when prefixed "short:", e.g.
# short:500), then the measured run; output in $WORK/stream-NAME.txt, with the CPU time the edge
# and the simulator (pid SIM_PID) used per measured stream.  When MEASURE_HOOK names a function, it
# runs in the background meanwhile.
streambench() {
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
# stream_get NAME FIELD: FIELD of the RESULT line of the measured run NAME
stream_get() { grep '^RESULT ' "$WORK/stream-$1.txt" | tr ' ' '\n' | awk -F= -v f="$2" '$1 == f { print $2 }'; }
# cpu_get NAME edge|sim: CPU µs per stream of the measured run NAME
cpu_get() { stream_get "$1" "cpu_$2_us"; }
