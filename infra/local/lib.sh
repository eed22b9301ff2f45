#!/usr/bin/env bash
# Shared helpers for infra/local/up.sh, infra/local/down.sh, infra/local/demo.sh,
# infra/kafka/start-kafka.sh and .ci/run.  Source it; do not execute it:
#
#   # shellcheck source=infra/local/lib.sh
#   source "<repo>/infra/local/lib.sh"
#   llmproxy_pick_jdk || exit 1
#
# It sets no shell options of its own (callers use `set -euo pipefail`) and every function is
# safe under `set -u`.  Functions return non-zero instead of exiting, so a caller decides.
#
# Variables it defines (all overridable from the environment before sourcing):
#   LLMPROXY_ROOT       the repository root (derived from this file's own path)
#   LLMPROXY_STATE_DIR  infra/local/.state  (pids/, logs/, kafka/, run/, admin-token, secret-key)

if [[ -n "${LLMPROXY_LIB_SOURCED:-}" ]]; then
  return 0
fi
LLMPROXY_LIB_SOURCED=1

LLMPROXY_ROOT="${LLMPROXY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}"
LLMPROXY_STATE_DIR="${LLMPROXY_STATE_DIR:-$LLMPROXY_ROOT/infra/local/.state}"
LLMPROXY_PID_DIR="$LLMPROXY_STATE_DIR/pids"
LLMPROXY_LOG_DIR="$LLMPROXY_STATE_DIR/logs"
export LLMPROXY_ROOT LLMPROXY_STATE_DIR LLMPROXY_PID_DIR LLMPROXY_LOG_DIR

# Minimum Java feature release the project needs (pom: maven.compiler.release=21).
LLMPROXY_MIN_JAVA="${LLMPROXY_MIN_JAVA:-21}"

llmproxy_log() { printf '[llmproxy] %s\n' "$*" >&2; }
llmproxy_err() { printf '[llmproxy] ERROR: %s\n' "$*" >&2; }

# llmproxy_java_major JAVA_BINARY -> prints the feature release (8, 17, 21, 25...) or nothing.
llmproxy_java_major() {
  local java_bin="$1" version major
  [[ -x "$java_bin" ]] || return 1
  # First line looks like: openjdk version "25.0.1" 2025-10-21   /  java version "1.8.0_392"
  version="$("$java_bin" -version 2>&1 | awk -F'"' '/ version "/ { print $2; exit }')" || return 1
  [[ -n "$version" ]] || return 1
  if [[ "$version" == 1.* ]]; then
    version="${version#1.}"
  fi
  major="${version%%[!0-9]*}"
  [[ -n "$major" ]] || return 1
  printf '%s\n' "$major"
}

# llmproxy_pick_jdk: exports JAVA_HOME (a JDK >= LLMPROXY_MIN_JAVA) and puts its bin/ first on
# PATH.  Order: $JAVA_HOME if it is new enough; else the newest JDK under /usr/lib/jvm (or
# LLMPROXY_JVM_DIRS, space separated); else the `java` on PATH if it is new enough.
# Returns 1 with an explanation on stderr when none is found.
llmproxy_pick_jdk() {
  local min="$LLMPROXY_MIN_JAVA" major best_home="" best_major=0 dir home seen=" "
  if [[ -n "${JAVA_HOME:-}" ]]; then
    major="$(llmproxy_java_major "$JAVA_HOME/bin/java" || true)"
    if [[ -n "$major" && "$major" -ge "$min" ]]; then
      best_home="$JAVA_HOME"
      best_major="$major"
    else
      llmproxy_log "JAVA_HOME=$JAVA_HOME is Java ${major:-?}; need $min+, looking for another JDK"
    fi
  fi
  if [[ -z "$best_home" ]]; then
    local jvm_dirs="${LLMPROXY_JVM_DIRS:-/usr/lib/jvm}" base
    for base in $jvm_dirs; do
      [[ -d "$base" ]] || continue
      for dir in "$base"/*; do
        [[ -x "$dir/bin/java" && -x "$dir/bin/javac" ]] || continue
        home="$(cd "$dir" && pwd -P)"
        [[ "$seen" == *" $home "* ]] && continue
        seen+="$home "
        major="$(llmproxy_java_major "$home/bin/java" || true)"
        [[ -n "$major" ]] || continue
        if [[ "$major" -ge "$min" && "$major" -gt "$best_major" ]]; then
          best_home="$home"
          best_major="$major"
        fi
      done
    done
  fi
  if [[ -z "$best_home" ]] && command -v java >/dev/null 2>&1; then
    local path_java
    path_java="$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)"
    major="$(llmproxy_java_major "$path_java" || true)"
    if [[ -n "$major" && "$major" -ge "$min" ]]; then
      best_home="$(cd "$(dirname "$path_java")/.." && pwd -P)"
      best_major="$major"
    fi
  fi
  if [[ -z "$best_home" ]]; then
    llmproxy_err "a JDK $min or newer is needed (found none: JAVA_HOME=${JAVA_HOME:-<unset>}, nothing suitable under ${LLMPROXY_JVM_DIRS:-/usr/lib/jvm}, java on PATH is $(llmproxy_java_major "$(command -v java 2>/dev/null || echo /nonexistent)" || echo 'absent'))."
    llmproxy_err "Install a JDK $min+ (e.g. Eclipse Temurin 21 or 25; on Debian 13+/Ubuntu 24.04 'apt-get install openjdk-21-jdk', on Debian 12 'apt-get install temurin-25-jdk' after adding Adoptium's apt repository) and set JAVA_HOME to it."
    return 1
  fi
  JAVA_HOME="$best_home"
  case ":$PATH:" in
    "$JAVA_HOME/bin:"*) ;;
    *) PATH="$JAVA_HOME/bin:$PATH" ;;
  esac
  export JAVA_HOME PATH
  LLMPROXY_JAVA_MAJOR="$best_major"
  export LLMPROXY_JAVA_MAJOR
  if [[ -z "${LLMPROXY_JDK_ANNOUNCED:-}" ]]; then
    llmproxy_log "using JDK $best_major at $JAVA_HOME"
    LLMPROXY_JDK_ANNOUNCED=1
    export LLMPROXY_JDK_ANNOUNCED
  fi
}

# llmproxy_port_open HOST PORT: 0 when a TCP connection succeeds within ~1 s.
llmproxy_port_open() {
  local host="$1" port="$2"
  # shellcheck disable=SC2016  # $1/$2 are expanded by the inner bash
  if command -v timeout >/dev/null 2>&1; then
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
  else
    bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
  fi
}

# llmproxy_wait_port HOST PORT TIMEOUT_SECONDS [PID]: waits until the port accepts connections.
# Returns 1 on timeout, 2 if PID (when given) died meanwhile.
llmproxy_wait_port() {
  local host="$1" port="$2" timeout_s="$3" pid="${4:-}" deadline
  deadline=$((SECONDS + timeout_s))
  while ((SECONDS < deadline)); do
    if llmproxy_port_open "$host" "$port"; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 2
    fi
    sleep 0.5
  done
  return 1
}

# Every JVM started by these scripts carries -Dllmproxy.service=<name>, so a pid file is only
# trusted when that pid still runs a process with this marker (a stale pid reused by some other
# program after a reboot is never signalled).
llmproxy_service_marker() { printf -- '-Dllmproxy.service=%s' "$1"; }

llmproxy_pid_file() { printf '%s/%s.pid' "$LLMPROXY_PID_DIR" "$1"; }

# llmproxy_service_pid NAME: prints the pid and returns 0 when NAME runs (per its pid file).
llmproxy_service_pid() {
  local name="$1" pid_file pid cmdline
  pid_file="$(llmproxy_pid_file "$name")"
  [[ -f "$pid_file" ]] || return 1
  pid="$(tr -dc '0-9' <"$pid_file")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  else
    cmdline="$(ps -p "$pid" -o args= 2>/dev/null || true)"
  fi
  [[ "$cmdline" == *"$(llmproxy_service_marker "$name")"* ]] || return 1
  printf '%s\n' "$pid"
}

# llmproxy_stop_service NAME [GRACE_SECONDS]: TERM, wait up to GRACE (20 s), then KILL.
# Removes the pid file.  Returns 0 if it stopped something, 1 if nothing was running.
llmproxy_stop_service() {
  local name="$1" grace="${2:-20}" pid_file pid deadline
  pid_file="$(llmproxy_pid_file "$name")"
  if ! pid="$(llmproxy_service_pid "$name")"; then
    if [[ -f "$pid_file" ]]; then
      rm -f "$pid_file" "${pid_file%.pid}.port"
      llmproxy_log "$name: not running (removed stale pid file)"
    fi
    return 1
  fi
  llmproxy_log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    llmproxy_log "$name: still alive after ${grace}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pid_file" "${pid_file%.pid}.port"
  llmproxy_log "$name: stopped"
  return 0
}

# llmproxy_tail_log FILE [LINES]: prints the last lines of a log, framed, on stderr.
llmproxy_tail_log() {
  local file="$1" lines="${2:-60}"
  if [[ -s "$file" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf -- '----- end of %s -----\n' "$file" >&2
  else
    printf -- '(%s is empty or missing)\n' "$file" >&2
  fi
}

# llmproxy_random_hex BYTES
llmproxy_random_hex() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex "$1"
  else
    od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
    echo
  fi
}

# llmproxy_random_base64 BYTES
llmproxy_random_base64() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 "$1" | tr -d '\n'
  else
    head -c "$1" /dev/urandom | base64 | tr -d '\n'
  fi
  echo
}

# llmproxy_mvn ARGS...: runs Maven with the picked JDK (call llmproxy_pick_jdk first), without
# ANSI colours, and without the JDK 24+ "terminally deprecated sun.misc.Unsafe" warnings that
# Maven's own Guava triggers (the flag is only added where the JVM knows it).
llmproxy_mvn() {
  if ! command -v mvn >/dev/null 2>&1; then
    llmproxy_err "Maven (mvn) is needed: apt-get install maven (3.8+)"
    return 1
  fi
  local maven_opts="${MAVEN_OPTS:-}"
  if [[ "${LLMPROXY_JAVA_MAJOR:-0}" -ge 24 && "$maven_opts" != *sun-misc-unsafe-memory-access* ]]; then
    maven_opts="${maven_opts:+$maven_opts }--sun-misc-unsafe-memory-access=allow"
  fi
  # Maven 3.8's -q still writes bare ANSI resets (ESC[0m) even with -B: strip them (stderr is
  # merged into stdout for that).  The pipeline's status is Maven's (pipefail set locally).
  (
    set -o pipefail
    MAVEN_OPTS="$maven_opts" mvn -Dstyle.color=never "$@" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g'
  )
}
