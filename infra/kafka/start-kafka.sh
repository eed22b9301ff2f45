#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/../local
# Starts a single-node Kafka broker (KRaft combined mode, broker + controller in one JVM) for
# local runs, from Maven Central jars, and creates the project's topics.  Idempotent: when the
# broker started by an earlier run is still alive it only makes sure the topics exist.
#
#   infra/kafka/start-kafka.sh          (up.sh calls it; stop it with infra/local/down.sh)
#
# Environment (all optional):
#   LLMPROXY_KAFKA_PORT              PLAINTEXT listener on 127.0.0.1 (default 9092)
#   LLMPROXY_KAFKA_CONTROLLER_PORT   KRaft controller listener (default 9093)
#   LLMPROXY_KAFKA_START_TIMEOUT     seconds to wait for the port (default 60)
#   LLMPROXY_KAFKA_HEAP_OPTS         default "-Xms256m -Xmx512m"
#   LLMPROXY_KAFKA_TOPICS            "name:partitions ..." (default "llmproxy.usage.v1:3")
#
# Layout under infra/local/.state/: kafka/lib (jars, ~54 MB), kafka/data (log.dirs),
# kafka/server.properties (rendered from infra/kafka/server.properties), kafka/cluster.id,
# logs/kafka.log (log4j2, INFO), logs/kafka.out (JVM stdout/stderr), pids/kafka.pid.
set -euo pipefail

KAFKA_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=lib.sh
source "$KAFKA_SRC_DIR/../local/lib.sh"

KAFKA_PORT="${LLMPROXY_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${LLMPROXY_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_START_TIMEOUT="${LLMPROXY_KAFKA_START_TIMEOUT:-60}"
KAFKA_TOPICS="${LLMPROXY_KAFKA_TOPICS:-llmproxy.usage.v1:3}"
read -r -a KAFKA_HEAP_OPTS <<<"${LLMPROXY_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

KAFKA_STATE="$LLMPROXY_STATE_DIR/kafka"
KAFKA_LIB="$KAFKA_STATE/lib"
KAFKA_DATA="$KAFKA_STATE/data"
KAFKA_CONFIG="$KAFKA_STATE/server.properties"
KAFKA_LOG="$LLMPROXY_LOG_DIR/kafka.log"
KAFKA_OUT="$LLMPROXY_LOG_DIR/kafka.out"
KAFKA_POM="$KAFKA_SRC_DIR/pom.xml"
KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

# Main classes, checked in the 4.1.2 jars: kafka.Kafka and kafka.tools.StorageTool live in
# kafka_2.13; TopicCommand in kafka-tools (org.apache.kafka.tools).
KAFKA_MAIN=kafka.Kafka
STORAGE_TOOL=kafka.tools.StorageTool
TOPIC_COMMAND=org.apache.kafka.tools.TopicCommand

llmproxy_pick_jdk || exit 1
JAVA="$JAVA_HOME/bin/java"
mkdir -p "$KAFKA_STATE" "$LLMPROXY_LOG_DIR" "$LLMPROXY_PID_DIR"

# Runs a Kafka command-line tool (quiet: log4j2's default configuration logs ERROR only).
kafka_tool() {
  "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" "$@"
}

pom_checksum() {
  cksum <"$KAFKA_POM" | awk '{ print $1 "-" $2 }'
}

# 1. jars: copied once; redone when infra/kafka/pom.xml changes or the copy was interrupted.
ensure_lib() {
  local want
  want="$(pom_checksum)"
  if [[ -f "$KAFKA_LIB/.complete" && "$(cat "$KAFKA_LIB/.complete")" == "$want" ]]; then
    return 0
  fi
  llmproxy_log "kafka: fetching broker jars into $KAFKA_LIB (once, ~54 MB)"
  rm -rf "$KAFKA_LIB"
  if ! llmproxy_mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime; then
    llmproxy_err "kafka: 'mvn dependency:copy-dependencies' on $KAFKA_POM failed (network/Maven Central reachable?)"
    return 1
  fi
  if ! compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null || ! compgen -G "$KAFKA_LIB/kafka-tools-*.jar" >/dev/null; then
    llmproxy_err "kafka: $KAFKA_LIB lacks kafka_2.13/kafka-tools jars after the copy"
    return 1
  fi
  printf '%s\n' "$want" >"$KAFKA_LIB/.complete"
}

# sed replacement text must escape \, & and the delimiter |
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

# 2. server.properties rendered from the template every start (ports may have changed).
render_config() {
  sed -e "s|@KAFKA_PORT@|$(sed_escape "$KAFKA_PORT")|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$(sed_escape "$KAFKA_CONTROLLER_PORT")|g" \
      -e "s|@KAFKA_DATA_DIR@|$(sed_escape "$KAFKA_DATA")|g" \
      "$KAFKA_SRC_DIR/server.properties" >"$KAFKA_CONFIG.tmp"
  mv -f "$KAFKA_CONFIG.tmp" "$KAFKA_CONFIG"
}

# 3. storage formatted once (static quorum via controller.quorum.voters: no --standalone).
ensure_formatted() {
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  if [[ -s "$KAFKA_STATE/cluster.id" ]]; then
    cluster_id="$(cat "$KAFKA_STATE/cluster.id")"
  else
    cluster_id="$(kafka_tool "$STORAGE_TOOL" random-uuid | tail -n 1 | tr -d '[:space:]')"
    [[ -n "$cluster_id" ]] || { llmproxy_err "kafka: StorageTool random-uuid printed nothing"; return 1; }
    printf '%s\n' "$cluster_id" >"$KAFKA_STATE/cluster.id"
  fi
  llmproxy_log "kafka: formatting $KAFKA_DATA (cluster id $cluster_id)"
  mkdir -p "$KAFKA_DATA"
  if ! kafka_tool "$STORAGE_TOOL" format -t "$cluster_id" -c "$KAFKA_CONFIG" --ignore-formatted \
      >"$KAFKA_STATE/format.out" 2>&1; then
    cat "$KAFKA_STATE/format.out" >&2
    llmproxy_err "kafka: storage format failed"
    return 1
  fi
}

start_broker() {
  local pid rc=0
  llmproxy_log "kafka: starting broker on $KAFKA_BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"
  printf '\n===== %s start =====\n' "$(date '+%Y-%m-%d %H:%M:%S')" >>"$KAFKA_OUT"
  # cwd: the state dir (not the caller's cwd); exec keeps $! the JVM's pid.
  (
    cd "$KAFKA_STATE"
    exec nohup "$JAVA" "${KAFKA_HEAP_OPTS[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -Djava.awt.headless=true \
      "$(llmproxy_service_marker kafka)" \
      -Dlog4j2.configurationFile="$KAFKA_SRC_DIR/log4j2.xml" \
      -Dllmproxy.kafka.logFile="$KAFKA_LOG" \
      -cp "$KAFKA_LIB/*" "$KAFKA_MAIN" "$KAFKA_CONFIG" \
      </dev/null >>"$KAFKA_OUT" 2>&1
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$(llmproxy_pid_file kafka)"
  llmproxy_wait_port 127.0.0.1 "$KAFKA_PORT" "$KAFKA_START_TIMEOUT" "$pid" || rc=$?
  if ((rc != 0)); then
    if ((rc == 2)); then
      llmproxy_err "kafka: the broker process $pid exited during start"
    else
      llmproxy_err "kafka: $KAFKA_BOOTSTRAP did not accept connections within ${KAFKA_START_TIMEOUT}s"
    fi
    llmproxy_tail_log "$KAFKA_LOG" 60
    llmproxy_tail_log "$KAFKA_OUT" 20
    if kill -0 "$pid" 2>/dev/null; then
      llmproxy_stop_service kafka 10 || true
    fi
    rm -f "$(llmproxy_pid_file kafka)"
    return 1
  fi
}

# 4. topics, created explicitly (retrying while the broker finishes its start).
ensure_topics() {
  local spec name partitions attempt out
  for spec in $KAFKA_TOPICS; do
    name="${spec%%:*}"
    partitions="${spec#*:}"
    [[ "$partitions" == "$spec" ]] && partitions=3
    for attempt in 1 2 3 4 5; do
      if out="$(kafka_tool "$TOPIC_COMMAND" --bootstrap-server "$KAFKA_BOOTSTRAP" --create \
          --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor 1 2>&1)"; then
        llmproxy_log "kafka: topic $name ready (${partitions} partitions)"
        break
      fi
      if ((attempt == 5)); then
        printf '%s\n' "$out" >&2
        llmproxy_err "kafka: could not create topic $name"
        return 1
      fi
      sleep 2
    done
  done
}

main() {
  local started=$SECONDS pid
  if pid="$(llmproxy_service_pid kafka)"; then
    if ! llmproxy_wait_port 127.0.0.1 "$KAFKA_PORT" "$KAFKA_START_TIMEOUT" "$pid"; then
      llmproxy_err "kafka: pid $pid is alive but $KAFKA_BOOTSTRAP does not answer (was it started with another LLMPROXY_KAFKA_PORT?); run infra/local/down.sh"
      llmproxy_tail_log "$KAFKA_LOG" 40
      exit 1
    fi
    llmproxy_log "kafka: already running (pid $pid) on $KAFKA_BOOTSTRAP"
  else
    rm -f "$(llmproxy_pid_file kafka)"
    local port
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
      if llmproxy_port_open 127.0.0.1 "$port"; then
        llmproxy_err "kafka: port $port is already in use by a process not started by these scripts; stop it or set LLMPROXY_KAFKA_PORT / LLMPROXY_KAFKA_CONTROLLER_PORT"
        exit 1
      fi
    done
    ensure_lib
    render_config
    ensure_formatted
    start_broker
    llmproxy_log "kafka: up on $KAFKA_BOOTSTRAP after $((SECONDS - started))s (pid $(cat "$(llmproxy_pid_file kafka)"))"
  fi
  ensure_topics
}

main "$@"
