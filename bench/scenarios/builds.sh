#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `builds` (issue #16): two or more builds of proxy-edge side by side on the same stack, measured
# in interleaved rounds at BENCH_RATE, so that the machine's drift between runs falls on every build alike
# (on the 2-core bench machine, the simulator's own CPU per request moved from 128 to 210 µs between two
# runs minutes apart: more than most changes to the edge save).
#   BENCH_BUILDS="before=/tmp/edge-before.jar after=proxy-edge/target/proxy-edge-0.1.0-SNAPSHOT-exec.jar"
# Each build (label: letters, digits, - and _) runs as its own edge on BENCH_BUILDS_PORT, the next port,
# and so on, with the running stack edge's environment and JVM flags (read from /proc), its own usage
# journal and logs in the bench's work folder; the stack's edge stays up, idle. The builds get the common
# prime's closed-loop requests each, then, per round and build, the rate run (its warm-up goes on while
# the JIT is at work): achieved req/s, p50, p99, errors, and the edge's CPU µs per call, whole and for its
# event loops, usage-journal thread and JIT (measured run only); then each build's medians.
# BENCH_BUILDS_KEY=quota (with `quota` among the scenarios) sends the calls with the quota scenario's key,
# whose tenant and key have quota policies that never refuse: every call pays the quota check.
# Builds on `rate` (hey_run). Settings: BENCH_BUILDS, BENCH_BUILDS_ROUNDS (3), BENCH_BUILDS_PORT (5011),
# BENCH_BUILDS_KEY (bench), with BENCH_RATE, BENCH_CONNECTIONS, BENCH_DURATION, BENCH_WARMUP, BENCH_JIT_QUIET_MAX.

builds_needs() { echo hey; }

BUILDS_ROUNDS="${BENCH_BUILDS_ROUNDS:-3}"
BUILDS_PORT="${BENCH_BUILDS_PORT:-5011}"
BUILDS_KEY="${BENCH_BUILDS_KEY:-bench}"
BUILDS_API_KEY=""
read -r -a BUILD_SPECS <<<"${BENCH_BUILDS:-}"
declare -A BUILD_PID=() BUILD_URL=()
BUILD_LABELS=()
BUILDS_ROWS="" BUILDS_SUMMARY=""

# builds_start: starts every build's edge (they load their snapshot meanwhile)
builds_start() {
  [[ "$BUILDS_KEY" == bench || ("$BUILDS_KEY" == quota && "$SCENARIOS" == *" quota "*) ]] ||
    die "builds: BENCH_BUILDS_KEY is bench or quota (quota needs the quota scenario too: BENCH_SCENARIOS=\"quota builds\")"
  ((${#BUILD_SPECS[@]} >= 2)) || die "builds: BENCH_BUILDS needs two builds or more, e.g. BENCH_BUILDS=\"before=/tmp/a.jar after=/tmp/b.jar\""
  [[ "$BUILDS_ROUNDS" =~ ^[1-9][0-9]*$ && "$BUILDS_PORT" =~ ^[0-9]+$ ]] || die "builds: BENCH_BUILDS_ROUNDS and BENCH_BUILDS_PORT must be whole numbers"
  [[ -n "${EDGE_PID:-}" && -r "/proc/$EDGE_PID/environ" ]] || die "builds: the stack's edge (pid ${EDGE_PID:-?}) must run: each build gets its environment and JVM flags"
  local spec label jar dir port="$BUILDS_PORT" a env=() args=() flags=()
  mapfile -d '' -t env < <(grep -zv '^\(SERVER_PORT\|LLMPROXY_USAGE_BUFFER_DIR\|LLMPROXY_LOG_DIR\|MANAGEMENT_SERVER_PORT\)=' "/proc/$EDGE_PID/environ")
  mapfile -d '' -t args <"/proc/$EDGE_PID/cmdline"
  for a in "${args[@]:1}"; do # the JVM flags before -jar, without up.sh's marker of its own edge
    [[ "$a" == -jar ]] && break
    [[ "$a" == -Dllmproxy.service=* ]] || flags+=("$a")
  done
  for spec in "${BUILD_SPECS[@]}"; do
    label="${spec%%=*}" jar="${spec#*=}"
    [[ "$spec" == *=* && "$label" =~ ^[A-Za-z0-9_-]+$ ]] || die "builds: \"$spec\" is not label=path-to-jar"
    [[ -z "${BUILD_PID[$label]:-}" ]] || die "builds: the label $label is given twice"
    [[ -f "$jar" ]] || die "builds: $jar (build $label) not found"
    llmproxy_port_open 127.0.0.1 "$port" && die "builds: port $port is in use: set BENCH_BUILDS_PORT"
    dir="$WORK/build-$label"
    mkdir -p "$dir"
    cp "$jar" "$dir/proxy-edge.jar"
    (
      cd "$dir" || exit 1
      exec env -i "${env[@]}" SERVER_PORT="$port" LLMPROXY_USAGE_BUFFER_DIR="$dir/usage-buffer" LLMPROXY_LOG_DIR="$dir/logs" \
        "$JAVA_HOME/bin/java" "${flags[@]}" -Dllmproxy.bench="build-$label" -jar "$dir/proxy-edge.jar" </dev/null >"$dir/out.log" 2>&1
    ) &
    BUILD_PID[$label]=$! BUILD_URL[$label]="http://127.0.0.1:$port"
    EXTRA_PIDS+=("${BUILD_PID[$label]}")
    BUILD_LABELS+=("$label")
    COMMANDS+=("java ${flags[*]} -jar $jar   # build $label on :$port, with the stack edge's environment")
    log "builds: $label ($jar) starting on :$port, pid ${BUILD_PID[$label]}"
    port=$((port + 1))
  done
}

# builds_ready: every build healthy and answering the bench key on bench-model
builds_ready() {
  local label deadline
  BUILDS_API_KEY="$API_KEY"
  [[ "$BUILDS_KEY" == quota ]] && BUILDS_API_KEY="$QUOTA_API_KEY"
  for label in "${BUILD_LABELS[@]}"; do
    llmproxy_wait_port 127.0.0.1 "${BUILD_URL[$label]##*:}" 120 "${BUILD_PID[$label]}" ||
      { llmproxy_tail_log "$WORK/build-$label/out.log" 40; die "builds: $label did not come up"; }
    deadline=$((SECONDS + 60))
    until [[ "$(chat_status "${BUILD_URL[$label]}" "$BUILDS_API_KEY" bench-model)" == 200 ]]; do
      ((SECONDS < deadline)) || die "builds: $label does not answer the bench key on bench-model: $(cat "$WORK/chat.out" 2>/dev/null)"
      sleep 0.5
    done
  done
}

builds_prime() {
  local label
  for label in "${BUILD_LABELS[@]}"; do
    log "prime: $PRIME closed-loop requests to build $label"
    hey -n "$PRIME" -c 8 -t 10 -m POST -T application/json -H "Authorization: Bearer $BUILDS_API_KEY" -d "$CHAT_BODY_EDGE" \
      "${BUILD_URL[$label]}/v1/chat/completions" >"$WORK/prime-build-$label.txt" 2>&1 || true
  done
}

# builds_group BEFORE AFTER N PATTERN: CPU µs per call of the thread groups matching PATTERN (awk regex)
builds_group() {
  join <(printf '%s\n' "$1") <(printf '%s\n' "$2") |
    awk -v n="$3" -v p="$4" -v hz="$(getconf CLK_TCK)" '$1 ~ p { d += $3 - $2 } END { if (n > 0) printf "%.0f", d * 1e6 / hz / n; else print "-" }'
}

builds_run() {
  local r label name rps p50 p99 n err cpu loops journal jit wakes
  local -A cpus=() loopss=() p50s=() p99s=() wakess=()
  for ((r = 1; r <= BUILDS_ROUNDS; r++)); do
    for label in "${BUILD_LABELS[@]}"; do
      name="build-$label-$r"
      local EDGE_PID="${BUILD_PID[$label]}" # what hey_run's CPU marks read
      hey_run "$name" "${BUILD_URL[$label]}/v1/chat/completions" "$BUILDS_API_KEY" "$CHAT_BODY_EDGE" "$EDGE_PID"
      read -r rps p50 _ p99 _ n err <<<"$(hey_parse "$name")"
      cpu="$(cpu_per_req "$HEY_EDGE0" "$HEY_EDGE1" 0 "$n")"
      loops="$(builds_group "$HEY_TH0" "$HEY_TH1" "$n" '^reactor-http')"
      journal="$(builds_group "$HEY_TH0" "$HEY_TH1" "$n" '^usage-journal$')"
      jit="$(builds_group "$HEY_TH0" "$HEY_TH1" "$n" '^C[12]_CompilerThre')"
      wakes="$(join <(printf '%s\n' "$HEY_TW0") <(printf '%s\n' "$HEY_TW1") |
        awk -v n="$n" '{ d += $3 - $2 } END { if (n > 0) printf "%.2f", d / n; else print "-" }')"
      BUILDS_ROWS+="| $r | $label | $rps | $n | $p50 | $p99 | $err | $cpu | $loops | $journal | $jit | $wakes | ${HEY_WARM_EXTRA[$name]} |"$'\n'
      cpus[$label]+="$cpu " loopss[$label]+="$loops " p50s[$label]+="$p50 " p99s[$label]+="$p99 " wakess[$label]+="$wakes "
    done
  done
  BUILDS_SUMMARY=""
  for label in "${BUILD_LABELS[@]}"; do
    # shellcheck disable=SC2086  # one value per word
    BUILDS_ROWS+="| median | $label | | | $(median ${p50s[$label]}) | $(median ${p99s[$label]}) | | **$(median ${cpus[$label]})** | $(median ${loopss[$label]}) | | | $(median ${wakess[$label]}) | |"$'\n'
    # shellcheck disable=SC2086
    BUILDS_SUMMARY+="${BUILDS_SUMMARY:+; }$label $(median ${cpus[$label]}) µs per call (event loops $(median ${loopss[$label]}); $(median ${wakess[$label]}) wake-ups per call)"
  done
  BUILDS_SUMMARY="edge CPU per call, median of $BUILDS_ROUNDS rounds: $BUILDS_SUMMARY"
  log "builds: $BUILDS_SUMMARY"
}

builds_report() {
  [[ -n "$BUILDS_ROWS" ]] || return 0
  local label
  printf '## Builds: %s builds of the edge side by side, %s req/s for %s s per run (hey, %s workers; warm-up %s s, longer while the JIT is at work; %s interleaved rounds; %s)\n\n' \
    "${#BUILD_LABELS[@]}" "$RATE" "$DURATION" "$CONNS" "$WARMUP" "$BUILDS_ROUNDS" \
    "$([[ "$BUILDS_KEY" == quota ]] && echo 'the quota tenant'"'"'s key: quota policies on every call' || echo 'the bench key: no quota policy')"
  for label in "${BUILD_LABELS[@]}"; do
    printf -- '- `%s`: %s, on %s\n' "$label" "$(printf '%s\n' "${BUILD_SPECS[@]}" | awk -v l="$label" -F= '$1 == l { sub(/^[^=]*=/, ""); print }')" "${BUILD_URL[$label]}"
  done
  printf '\n| round | build | achieved req/s | requests | p50 ms | p99 ms | errors | edge CPU µs/call | event loops µs/call | usage-journal µs/call | JIT µs/call | edge wake-ups/call | extra warm-up s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$BUILDS_ROWS"
  printf '%s. CPU = utime+stime from /proc over the measured run only ÷ its calls; the thread columns are the groups of the rate report'"'"'s thread table; wake-ups = the edge'"'"'s voluntary context switches over the measured run ÷ its calls (a thread switches out voluntarily each time it sleeps to wait: the thread hand-offs a call costs, steadier than CPU).\n\n' "$BUILDS_SUMMARY"
}
