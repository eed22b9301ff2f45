#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `peers` (issue #16): the same non-streamed chat completion straight to the upstream
# simulator, through a rival gateway (npm @portkey-ai/gateway 1.15.2, headless) and through
# proxy-edge, in interleaved rounds after the same warm-up. Per target and round:
#   - closed-loop throughput, BENCH_PEERS_CONNECTIONS (10) connections for BENCH_PEERS_SECONDS (10 s);
#   - latency at a fixed BENCH_PEERS_RATE (500) req/s for the same time: p50 / p99, and the added
#     latency over the direct run of the same round;
#   - CPU per call of every process involved, from /proc/<pid>/stat utime+stime over the closed-loop
#     run: edge, query-side, PostgreSQL (all its processes), Kafka, the rival, the simulator.
# A fourth target, `floor`, is HAProxy (Debian's package; left out with a note when not installed)
# forwarding the same request to the simulator with keep-alive on both sides: what forwarding alone
# costs on this machine's kernel and network stack, with no authentication, translation or usage event.
# Two more targets are Java floors on the jars the edge ships (taken from the edge's executable jar;
# left out with a note when that jar is not built): `netty`, bench/NettyFloor.java, Netty's HTTP codec
# on both sides and nothing else; `reactor`, bench/ReactorFloor.java, the same on Reactor Netty's
# HttpServer and HttpClient, the edge's own HTTP stack. Each target's own process is also measured over the
# fixed-rate run: its CPU per call at BENCH_PEERS_RATE (issue #16's edge target is at 1,000 req/s).
# Streams are not compared with the rival: its streaming fails on Node 20 (HTTP 500, TypeError: immutable).
# Needs Node 20+ and npm; the rival is installed once into BENCH_PEERS_DIR (default
# ${TMPDIR:-/tmp}/llmproxy-peers), never into the repository.  Sourced by bench/run.sh after
# bench/lib.sh; report section 6.  Settings: BENCH_PEERS_ROUNDS (2), BENCH_PEERS_SECONDS,
# BENCH_PEERS_RATE, BENCH_PEERS_CONNECTIONS, BENCH_PEERS_WARMUP (20000 requests per target, after
# the common prime, which the rival gets too), BENCH_PEERS_DIR, BENCH_PEERS_RIVAL_PORT (8787),
# BENCH_PEERS_FLOOR_PORT (8788), BENCH_PEERS_NETTY_PORT (8789), BENCH_PEERS_REACTOR_PORT (8790).

peers_needs() { echo hey; }

RIVAL_PACKAGE="@portkey-ai/gateway@1.15.2"
RIVAL_URL="http://127.0.0.1:$PEERS_RIVAL_PORT"
FLOOR_URL="http://127.0.0.1:$PEERS_FLOOR_PORT"
NETTY_URL="http://127.0.0.1:$PEERS_NETTY_PORT"
REACTOR_URL="http://127.0.0.1:$PEERS_REACTOR_PORT"
RIVAL_PID="" FLOOR_PID="" NETTY_PID="" REACTOR_PID="" PEERS_ROWS=""
PEERS_PROCS=(edge query-side postgres kafka rival haproxy netty reactor simulator)
# the process whose CPU per call is the target's own, over the fixed-rate run
declare -gA PEERS_OWN=([direct]=simulator [floor]=haproxy [netty]=netty [reactor]=reactor [rival]=rival [edge]=edge)
PEERS_TARGETS=(direct rival edge)
declare -gA PEERS_PIDS=()

# peers_start: installs the rival once (outside the repository) and starts it headless
peers_start() {
  if ! have node || ! have npm; then die "peers: Node 20+ and npm are needed for the rival gateway"; fi
  llmproxy_port_open 127.0.0.1 "$PEERS_RIVAL_PORT" && die "port $PEERS_RIVAL_PORT is in use: set BENCH_PEERS_RIVAL_PORT"
  if [[ ! -f "$PEERS_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]]; then
    log "peers: installing $RIVAL_PACKAGE into $PEERS_DIR"
    mkdir -p "$PEERS_DIR"
    npm install --no-audit --no-fund --prefix "$PEERS_DIR" "$RIVAL_PACKAGE" >/dev/null || die "npm install $RIVAL_PACKAGE failed"
  fi
  (cd "$PEERS_DIR" && exec node node_modules/@portkey-ai/gateway/build/start-server.js --port="$PEERS_RIVAL_PORT" --headless) \
    </dev/null >"$PEERS_DIR/rival.log" 2>&1 &
  RIVAL_PID=$!
  EXTRA_PIDS+=("$RIVAL_PID")
  COMMANDS+=("node node_modules/@portkey-ai/gateway/build/start-server.js --port=$PEERS_RIVAL_PORT --headless   # $RIVAL_PACKAGE in $PEERS_DIR")
  log "peers: the rival starts on :$PEERS_RIVAL_PORT, pid $RIVAL_PID"
  peers_floor_start
  peers_java_floors_start
  PEERS_TARGETS=(direct ${FLOOR_PID:+floor} ${NETTY_PID:+netty} ${REACTOR_PID:+reactor} rival edge)
}
# peers_floor_start: HAProxy in front of the simulator on BENCH_PEERS_FLOOR_PORT, when installed
peers_floor_start() {
  if ! have haproxy; then
    log "peers: no haproxy (apt-get install -y haproxy): the floor target is left out"
    return 0
  fi
  llmproxy_port_open 127.0.0.1 "$PEERS_FLOOR_PORT" && die "port $PEERS_FLOOR_PORT is in use: set BENCH_PEERS_FLOOR_PORT"
  cat >"$WORK/floor.cfg" <<CFG
# the peers scenario's floor: forwarding only, keep-alive to the client and to the simulator
global
  maxconn 2000
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend floor
  bind 127.0.0.1:$PEERS_FLOOR_PORT
  default_backend simulator
backend simulator
  server simulator ${SIM_URL#http://}
CFG
  haproxy -db -f "$WORK/floor.cfg" </dev/null >"$WORK/floor.log" 2>&1 &
  FLOOR_PID=$!
  EXTRA_PIDS+=("$FLOOR_PID")
  COMMANDS+=("haproxy -db -f floor.cfg   # the floor: bind 127.0.0.1:$PEERS_FLOOR_PORT, mode http, http-keep-alive, http-reuse always, server ${SIM_URL#http://}")
  log "peers: the floor (haproxy) starts on :$PEERS_FLOOR_PORT, pid $FLOOR_PID"
}
# peers_java_floors_start: bench/NettyFloor.java on BENCH_PEERS_NETTY_PORT and bench/ReactorFloor.java on
# BENCH_PEERS_REACTOR_PORT, on the Netty and Reactor jars of the edge's executable jar, when it is built
peers_java_floors_start() {
  local jar cp
  jar="$(ls "$ROOT"/proxy-edge/target/proxy-edge-*-exec.jar 2>/dev/null | head -n 1)"
  if [[ -z "$jar" ]]; then
    log "peers: no proxy-edge/target/proxy-edge-*-exec.jar (mvn -DskipTests package): the netty and reactor targets are left out"
    return 0
  fi
  llmproxy_port_open 127.0.0.1 "$PEERS_NETTY_PORT" && die "port $PEERS_NETTY_PORT is in use: set BENCH_PEERS_NETTY_PORT"
  llmproxy_port_open 127.0.0.1 "$PEERS_REACTOR_PORT" && die "port $PEERS_REACTOR_PORT is in use: set BENCH_PEERS_REACTOR_PORT"
  rm -rf "$WORK/floors" && mkdir -p "$WORK/floors/lib" "$WORK/floors/classes"
  unzip -q -j -o "$jar" 'BOOT-INF/lib/netty-*' 'BOOT-INF/lib/reactor-*' 'BOOT-INF/lib/reactive-streams-*' -d "$WORK/floors/lib" \
    || die "could not take the Netty and Reactor jars out of $jar"
  "$JAVA_HOME/bin/javac" -cp "$WORK/floors/lib/*" -d "$WORK/floors/classes" "$BENCH_DIR/NettyFloor.java" "$BENCH_DIR/ReactorFloor.java" \
    || die "javac bench/NettyFloor.java bench/ReactorFloor.java failed"
  cp="$WORK/floors/lib/*:$WORK/floors/classes"
  "$JAVA_HOME/bin/java" -Xmx"${LLMPROXY_APP_HEAP:-384m}" --enable-native-access=ALL-UNNAMED -cp "$cp" \
    NettyFloor "$PEERS_NETTY_PORT" "$SIM_URL" </dev/null >"$WORK/netty.log" 2>&1 &
  NETTY_PID=$!
  "$JAVA_HOME/bin/java" -Xmx"${LLMPROXY_APP_HEAP:-384m}" --enable-native-access=ALL-UNNAMED -cp "$cp" \
    ReactorFloor "$PEERS_REACTOR_PORT" "$SIM_URL" </dev/null >"$WORK/reactor.log" 2>&1 &
  REACTOR_PID=$!
  EXTRA_PIDS+=("$NETTY_PID" "$REACTOR_PID")
  COMMANDS+=("java -Xmx${LLMPROXY_APP_HEAP:-384m} -cp <the edge's Netty and Reactor jars>:. NettyFloor $PEERS_NETTY_PORT $SIM_URL   # Netty's floor (bench/NettyFloor.java)"
    "java -Xmx${LLMPROXY_APP_HEAP:-384m} -cp <the edge's Netty and Reactor jars>:. ReactorFloor $PEERS_REACTOR_PORT $SIM_URL   # Reactor Netty's floor (bench/ReactorFloor.java)")
  log "peers: Java floors start: NettyFloor on :$PEERS_NETTY_PORT (pid $NETTY_PID), ReactorFloor on :$PEERS_REACTOR_PORT (pid $REACTOR_PID)"
}
peers_ready() {
  llmproxy_wait_port 127.0.0.1 "$PEERS_RIVAL_PORT" 60 "$RIVAL_PID" \
    || { llmproxy_tail_log "$PEERS_DIR/rival.log" 40; die "the rival did not start (see $PEERS_DIR/rival.log)"; }
  [[ -z "$FLOOR_PID" ]] || llmproxy_wait_port 127.0.0.1 "$PEERS_FLOOR_PORT" 20 "$FLOOR_PID" \
    || { llmproxy_tail_log "$WORK/floor.log" 40; die "haproxy (the floor) did not start (see $WORK/floor.log)"; }
  [[ -z "$NETTY_PID" ]] || llmproxy_wait_port 127.0.0.1 "$PEERS_NETTY_PORT" 30 "$NETTY_PID" \
    || { llmproxy_tail_log "$WORK/netty.log" 40; die "NettyFloor did not start (see $WORK/netty.log)"; }
  [[ -z "$REACTOR_PID" ]] || llmproxy_wait_port 127.0.0.1 "$PEERS_REACTOR_PORT" 30 "$REACTOR_PID" \
    || { llmproxy_tail_log "$WORK/reactor.log" 40; die "ReactorFloor did not start (see $WORK/reactor.log)"; }
}

# peers_hey TARGET hey-options...: hey with that target's request (direct, floor, netty, reactor, rival or edge)
peers_hey() {
  local name="$1"
  shift
  case "$name" in
    direct) hey "$@" -m POST -T application/json -H "Authorization: Bearer $SIM_KEY" -d "$CHAT_BODY_DIRECT" "$SIM_URL/v1/chat/completions" ;;
    floor) hey "$@" -m POST -T application/json -H "Authorization: Bearer $SIM_KEY" -d "$CHAT_BODY_DIRECT" "$FLOOR_URL/v1/chat/completions" ;;
    netty) hey "$@" -m POST -T application/json -H "Authorization: Bearer $SIM_KEY" -d "$CHAT_BODY_DIRECT" "$NETTY_URL/v1/chat/completions" ;;
    reactor) hey "$@" -m POST -T application/json -H "Authorization: Bearer $SIM_KEY" -d "$CHAT_BODY_DIRECT" "$REACTOR_URL/v1/chat/completions" ;;
    rival) hey "$@" -m POST -T application/json -H "Authorization: Bearer $SIM_KEY" -H "x-portkey-provider: openai" \
      -H "x-portkey-custom-host: $SIM_URL/v1" -d "$CHAT_BODY_DIRECT" "$RIVAL_URL/v1/chat/completions" ;;
    edge) hey "$@" -m POST -T application/json -H "Authorization: Bearer $API_KEY" -d "$CHAT_BODY_EDGE" "$EDGE_URL/v1/chat/completions" ;;
  esac
}
# peers_prime: the rival gets the same prime as the edge
peers_prime() {
  log "prime: $PRIME closed-loop requests to the rival (the same warm-up as the edge)"
  peers_hey rival -n "$PRIME" -c 8 -t 10 >"$WORK/prime-rival.txt" 2>&1 || true
  COMMANDS+=("hey -n $PRIME -c 8 ... (prime of the rival, not measured)")
}
# peers_ticks NAME: utime+stime of the process (for postgres, of all its processes), in clock ticks
peers_ticks() {
  local p
  if [[ "$1" == postgres ]]; then
    for p in $(pgrep -u postgres); do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null; done | awk '{s+=$1} END {print s+0}'
  else
    cpu_ticks "${PEERS_PIDS[$1]:-}"
  fi
}

# peers_run: the warm-up, then BENCH_PEERS_ROUNDS rounds of direct, rival, edge; sets PEERS_ROWS
peers_run() {
  local round t p out cpu calls rps fixed added hz proc own own0 own_calls
  local -A before=() p50=() p99=()
  hz="$(getconf CLK_TCK)"
  PEERS_PIDS=([edge]="${EDGE_PID:-}" [query-side]="$(llmproxy_service_pid query-side || true)"
    [simulator]="$(llmproxy_service_pid upstream-simulator || true)" [rival]="$RIVAL_PID" [haproxy]="$FLOOR_PID" [netty]="$NETTY_PID" [reactor]="$REACTOR_PID"
    [kafka]="$(llmproxy_service_pid kafka || pgrep -f 'kafka\.Kafka' | head -n 1 || true)")
  log "peers: warm-up, $PEERS_WARMUP requests to each target (${PEERS_TARGETS[*]})"
  for t in "${PEERS_TARGETS[@]}"; do peers_hey "$t" -n "$PEERS_WARMUP" -c "$PEERS_CONNS" >/dev/null; done
  COMMANDS+=("hey -n $PEERS_WARMUP -c $PEERS_CONNS ... (peers warm-up of ${PEERS_TARGETS[*]}, not measured)"
    "hey -z ${PEERS_SECONDS}s -c $PEERS_CONNS ... then hey -z ${PEERS_SECONDS}s -c $PEERS_CONNS -q $((PEERS_RATE / PEERS_CONNS)) ...   # peers, each round and target; the rival gets -H 'x-portkey-provider: openai' -H 'x-portkey-custom-host: $SIM_URL/v1' $RIVAL_URL/v1/chat/completions")
  for round in $(seq 1 "$PEERS_ROUNDS"); do
    p50=() p99=()
    for t in "${PEERS_TARGETS[@]}"; do
      log "peers: round $round, $t"
      for p in "${PEERS_PROCS[@]}"; do before[$p]="$(peers_ticks "$p")"; done
      out="$(peers_hey "$t" -z "${PEERS_SECONDS}s" -c "$PEERS_CONNS")"
      cpu="" calls="$(awk '$1=="[200]" {print $2; exit}' <<<"$out")"
      calls="${calls:-0}"
      for p in "${PEERS_PROCS[@]}"; do
        cpu+="$((calls > 0 ? ($(peers_ticks "$p") - ${before[$p]}) * 1000000 / hz / calls : 0)) | "
      done
      rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
      proc="${PEERS_OWN[$t]}" own0="$(peers_ticks "$proc")"
      fixed="$(peers_hey "$t" -z "${PEERS_SECONDS}s" -c "$PEERS_CONNS" -q $((PEERS_RATE / PEERS_CONNS)))"
      own_calls="$(awk '$1=="[200]" {print $2; exit}' <<<"$fixed")"
      own_calls="${own_calls:-0}"
      own="$proc $((own_calls > 0 ? ($(peers_ticks "$proc") - own0) * 1000000 / hz / own_calls : 0))"
      p50[$t]="$(awk '/50% in/ {printf "%.2f", $3*1000}' <<<"$fixed")"
      p99[$t]="$(awk '/99% in/ {printf "%.2f", $3*1000}' <<<"$fixed")"
      added="—"
      [[ "$t" == direct ]] || added="$(diff_ms "${p50[$t]}" "${p50[direct]}") / $(diff_ms "${p99[$t]}" "${p99[direct]}")"
      PEERS_ROWS+="| $round | $t | $rps | ${p50[$t]} | ${p99[$t]} | $added | $own | $cpu
"
    done
  done
  log "peers: done"
}

# peers_report: section 6 of the report
peers_report() {
  [[ -n "$PEERS_ROWS" ]] || return 0
  printf '## 6. Peers: direct vs rival (%s) vs proxy-edge, %s round(s)\n\n' "$RIVAL_PACKAGE" "$PEERS_ROUNDS"
  printf -- '- each round: closed loop %s connections × %s s, then %s req/s × %s s (hey); warm-up %s requests per target first (after the common prime of %s requests, which the rival gets too)\n' \
    "$PEERS_CONNS" "$PEERS_SECONDS" "$PEERS_RATE" "$PEERS_SECONDS" "$PEERS_WARMUP" "$PRIME"
  printf -- '- CPU µs per call: utime+stime from /proc over the closed-loop run ÷ its calls (PostgreSQL: all its processes; a process'"'"'s idle work is included)\n'
  [[ -z "$FLOOR_PID" ]] || printf -- '- floor: HAProxy %s forwarding the same request to the simulator (keep-alive both sides, no authentication, translation or usage event): what forwarding alone costs on this machine, the lower bound for any proxy'"'"'s CPU per call here\n' \
    "$(haproxy -v 2>/dev/null | awk 'NR == 1 {print $3}')"
  [[ -z "$NETTY_PID" ]] || printf -- '- netty: bench/NettyFloor.java on the edge'"'"'s Netty jars (epoll, an event loop per core, keep-alive both sides, upstream connections pooled per event loop): Netty'"'"'s HTTP codec parsing and writing both sides and nothing else, the lower bound for a Java gateway on Netty here\n'
  [[ -z "$REACTOR_PID" ]] || printf -- '- reactor: bench/ReactorFloor.java, the same forwarding on Reactor Netty'"'"'s HttpServer and HttpClient (the edge'"'"'s HTTP stack, its default loops, a client and pool per event loop as the edge has): reactor − netty is what the reactive layer costs per call, edge − reactor what the gateway'"'"'s own work costs (authentication, routing, quota, usage journal and event, telemetry)\n'
  printf -- '- own CPU µs per call @ rate: the target'"'"'s own process (direct: the simulator; floor: HAProxy; netty: NettyFloor; reactor: ReactorFloor; rival; edge) over the fixed-rate run ÷ its calls; the other CPU columns are over the closed-loop run\n'
  printf -- '- streams are compared direct vs edge only (stream scenario): the rival'"'"'s streaming fails on Node 20\n\n'
  printf '| round | target | closed-loop req/s | p50 ms @ %s/s | p99 ms @ %s/s | added p50 / p99 ms | own CPU µs per call @ %s/s | %s\n' "$PEERS_RATE" "$PEERS_RATE" "$PEERS_RATE" "$(printf '%s µs | ' "${PEERS_PROCS[@]}")"
  printf '|---|---|---|---|---|---|---|%s\n%s\n' "$(printf -- '---|%.0s' "${PEERS_PROCS[@]}")" "$PEERS_ROWS"
}
