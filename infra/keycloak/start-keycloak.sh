#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/../local
# Starts (or stops) a real Keycloak server for local runs and tests, from the
# org.keycloak:keycloak-quarkus-dist zip of the Maven cache / Maven Central (infra/keycloak/pom.xml).
# Idempotent: a server started by an earlier run that is still alive is only waited for.
#
#   infra/keycloak/start-keycloak.sh [start]         the local instance (up.sh calls it)
#   infra/keycloak/start-keycloak.sh stop            stop it (down.sh calls this)
#   infra/keycloak/start-keycloak.sh status          exit 0 and print its URL when it runs
#   infra/keycloak/start-keycloak.sh --test [start|stop|status]
#                                                    the test instance (infra/local/test.sh and
#                                                    KeycloakTestServer): own ports, own data
#
# Environment (all optional):
#   LLMPROXY_KEYCLOAK_PORT                 HTTP port of the local instance (8080)
#   LLMPROXY_KEYCLOAK_MANAGEMENT_PORT      its management port, /health/ready (9000)
#   LLMPROXY_TEST_KEYCLOAK_PORT            HTTP port of the test instance (8180)
#   LLMPROXY_TEST_KEYCLOAK_MANAGEMENT_PORT its management port (9180)
#   LLMPROXY_KEYCLOAK_START_TIMEOUT        seconds to wait for /health/ready (300; the first start
#                                          runs Keycloak's build step, ~30 s on an idle machine)
#   LLMPROXY_KEYCLOAK_HEAP                 JVM heap flags ("-Xms64m -Xmx512m")
#   LLMPROXY_KEYCLOAK_DIST_DIR             where the zip is unpacked (infra/keycloak/.dist)
#
# Layout: the server is unpacked once into infra/keycloak/.dist/keycloak-<version> (gitignored;
# Keycloak's build step writes into it on the first start, and both instances share it).
# Each instance keeps its state under its own state dir (infra/local/.state for the local one,
# infra/local/.state/test-keycloak for the test one):
#   keycloak/data/                 H2 database (data/h2) and transaction logs (one per instance)
#   keycloak/bootstrap-admin-password  the master realm's bootstrap admin `admin` (0600, generated)
#   logs/<name>.log, pids/<name>.pid   (<name> = keycloak or keycloak-test)
# The bootstrap admin password is handed to Keycloak through its environment, never on the
# command line and never printed.
set -euo pipefail

KC_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

action=start
instance=local
for arg in "$@"; do
  case "$arg" in
    --test) instance=test ;;
    start | stop | status) action="$arg" ;;
    -h | --help)
      sed -n '3,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      printf '[llmproxy] ERROR: unknown argument: %s (use start, stop, status, --test, --help)\n' "$arg" >&2
      exit 2
      ;;
  esac
done

if [[ "$instance" == test ]]; then
  # The test instance has its own state dir, so infra/local/down.sh (which stops every pid file
  # of infra/local/.state/pids) never stops it under a running test suite, and vice versa.
  LLMPROXY_STATE_DIR="${LLMPROXY_TEST_KEYCLOAK_STATE_DIR:-$(cd "$KC_SRC_DIR/../local" && pwd -P)/.state/test-keycloak}"
  export LLMPROXY_STATE_DIR
  KC_NAME=keycloak-test
  KC_FLAG="--test "
  KC_ENV=LLMPROXY_TEST_KEYCLOAK
  KC_PORT="${LLMPROXY_TEST_KEYCLOAK_PORT:-8180}"
  KC_MGMT_PORT="${LLMPROXY_TEST_KEYCLOAK_MANAGEMENT_PORT:-9180}"
else
  KC_NAME=keycloak
  KC_FLAG=""
  KC_ENV=LLMPROXY_KEYCLOAK
  KC_PORT="${LLMPROXY_KEYCLOAK_PORT:-8080}"
  KC_MGMT_PORT="${LLMPROXY_KEYCLOAK_MANAGEMENT_PORT:-9000}"
fi

# shellcheck source=lib.sh
source "$KC_SRC_DIR/../local/lib.sh"

KC_POM="$KC_SRC_DIR/pom.xml"
KC_VERSION="$(sed -n 's|.*<keycloak.version>\(.*\)</keycloak.version>.*|\1|p' "$KC_POM" | head -n 1)"
[[ -n "$KC_VERSION" ]] || { llmproxy_err "keycloak: no <keycloak.version> in $KC_POM"; exit 1; }
KC_DIST_ROOT="${LLMPROXY_KEYCLOAK_DIST_DIR:-$KC_SRC_DIR/.dist}"
KC_HOME="$KC_DIST_ROOT/keycloak-$KC_VERSION"
KC_STATE="$LLMPROXY_STATE_DIR/keycloak"
KC_DATA="$KC_STATE/data"
KC_ADMIN_USER=admin
KC_ADMIN_PASSWORD_FILE="$KC_STATE/bootstrap-admin-password"
KC_LOG="$LLMPROXY_LOG_DIR/$KC_NAME.log"
KC_START_TIMEOUT="${LLMPROXY_KEYCLOAK_START_TIMEOUT:-300}"
KC_HEAP="${LLMPROXY_KEYCLOAK_HEAP:--Xms64m -Xmx512m}"
# The issuer of every token is http://localhost:<port>/realms/<realm>, however the server was
# reached (127.0.0.1 or localhost): resource servers check one fixed issuer.
KC_URL="http://localhost:$KC_PORT"
KC_READY_URL="http://127.0.0.1:$KC_MGMT_PORT/health/ready"

ready() {
  local body
  body="$(curl -s --max-time 3 "$KC_READY_URL" 2>/dev/null || true)"
  [[ "$body" == *'"status"'*'"UP"'* ]]
}

# wait_ready PID: 0 once /health/ready is UP; 1 on timeout; 2 if PID died.
wait_ready() {
  local pid="$1" deadline
  deadline=$((SECONDS + KC_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    ready && return 0
    kill -0 "$pid" 2>/dev/null || return 2
    sleep 1
  done
  return 1
}

# 1. the distribution, unpacked once (redone when the version changes or an unpack was cut short).
ensure_dist() {
  if [[ -f "$KC_HOME/.llmproxy-unpacked" && -x "$KC_HOME/bin/kc.sh" ]]; then
    return 0
  fi
  llmproxy_log "keycloak: unpacking keycloak-quarkus-dist $KC_VERSION into $KC_DIST_ROOT (once, ~188 MB, from the Maven cache or Maven Central)"
  rm -rf "$KC_HOME" "$KC_DIST_ROOT/.markers"
  mkdir -p "$KC_DIST_ROOT"
  if ! llmproxy_mvn -B -q -f "$KC_POM" dependency:unpack-dependencies -DincludeTypes=zip \
      -DoutputDirectory="$KC_DIST_ROOT" -DmarkersDirectory="$KC_DIST_ROOT/.markers"; then
    llmproxy_err "keycloak: 'mvn dependency:unpack-dependencies' on $KC_POM failed (is Maven Central reachable?)"
    return 1
  fi
  if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
    llmproxy_err "keycloak: $KC_HOME/bin/kc.sh missing after the unpack"
    return 1
  fi
  date '+%Y-%m-%d %H:%M:%S' >"$KC_HOME/.llmproxy-unpacked"
}

# 2. the bootstrap admin password of the master realm, generated once per instance.
ensure_admin_password() {
  if [[ ! -s "$KC_ADMIN_PASSWORD_FILE" ]]; then
    (umask 077 && llmproxy_random_hex 18 >"$KC_ADMIN_PASSWORD_FILE.tmp")
    mv -f "$KC_ADMIN_PASSWORD_FILE.tmp" "$KC_ADMIN_PASSWORD_FILE"
    llmproxy_log "keycloak: generated the bootstrap admin password, kept in $KC_ADMIN_PASSWORD_FILE"
  fi
  chmod 600 "$KC_ADMIN_PASSWORD_FILE"
}

start_server() {
  local pid rc=0 t0=$SECONDS
  if pid="$(llmproxy_service_pid "$KC_NAME")"; then
    wait_ready "$pid" || rc=$?
    if ((rc == 0)); then
      llmproxy_log "$KC_NAME: already running (pid $pid) at $KC_URL"
      return 0
    fi
    llmproxy_tail_log "$KC_LOG" 60
    llmproxy_err "$KC_NAME: pid $pid runs but $KC_READY_URL is not UP; stop it with: $0 ${KC_FLAG}stop"
    return 1
  fi
  rm -f "$(llmproxy_pid_file "$KC_NAME")"
  local port
  for port in "$KC_PORT" "$KC_MGMT_PORT"; do
    if llmproxy_port_open 127.0.0.1 "$port"; then
      llmproxy_err "$KC_NAME: port $port is already in use by a process not started by this script; stop it or choose other ports (${KC_ENV}_PORT, ${KC_ENV}_MANAGEMENT_PORT)"
      return 1
    fi
  done
  ensure_dist
  mkdir -p "$KC_DATA" "$LLMPROXY_LOG_DIR" "$LLMPROXY_PID_DIR"
  ensure_admin_password
  [[ -f "$KC_LOG" ]] && mv -f "$KC_LOG" "$KC_LOG.1"
  printf '===== %s: %s %s on port %s (management %s) =====\n' "$(date '+%Y-%m-%d %H:%M:%S')" \
    "$KC_NAME" "$KC_VERSION" "$KC_PORT" "$KC_MGMT_PORT" >"$KC_LOG"
  llmproxy_log "$KC_NAME: starting Keycloak $KC_VERSION on $KC_URL (management port $KC_MGMT_PORT; log: $KC_LOG)"
  # kc.sh forwards -D options to the JVM, so the service marker is on both its command line and
  # the JVM's; it forwards TERM to the JVM (a clean shutdown).  cwd: the instance's state dir.
  (
    exec 9>&- # the start lock (below) must not live on in the server
    cd "$KC_STATE"
    KC_BOOTSTRAP_ADMIN_USERNAME="$KC_ADMIN_USER" \
    KC_BOOTSTRAP_ADMIN_PASSWORD="$(cat "$KC_ADMIN_PASSWORD_FILE")" \
    JAVA_OPTS_KC_HEAP="$KC_HEAP" \
    exec nohup "$KC_HOME/bin/kc.sh" "$(llmproxy_service_marker "$KC_NAME")" \
      "-Dkc.db-url-path=$KC_STATE" \
      "-Dquarkus.transaction-manager.object-store.directory=$KC_DATA/transaction-logs" \
      start-dev \
      --http-host="${LLMPROXY_BIND_ADDRESS:-127.0.0.1}" --http-port="$KC_PORT" \
      --http-management-port="$KC_MGMT_PORT" --health-enabled=true \
      --hostname="$KC_URL" \
      </dev/null >>"$KC_LOG" 2>&1
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$(llmproxy_pid_file "$KC_NAME")"
  printf '%s\n' "$KC_PORT" >"$LLMPROXY_PID_DIR/$KC_NAME.port"
  wait_ready "$pid" || rc=$?
  if ((rc != 0)); then
    if ((rc == 2)); then
      llmproxy_err "$KC_NAME: the server process exited during start"
    else
      llmproxy_err "$KC_NAME: $KC_READY_URL not UP after ${KC_START_TIMEOUT}s"
    fi
    llmproxy_tail_log "$KC_LOG" 80
    llmproxy_stop_service "$KC_NAME" 20 >/dev/null 2>&1 || true
    return 1
  fi
  llmproxy_log "$KC_NAME: UP after $((SECONDS - t0))s (pid $pid) at $KC_URL"
}

case "$action" in
  stop)
    llmproxy_stop_service "$KC_NAME" "${LLMPROXY_STOP_GRACE:-30}" || true
    ;;
  status)
    if pid="$(llmproxy_service_pid "$KC_NAME")" && ready; then
      printf '%s\n' "$KC_URL"
      exit 0
    fi
    exit 1
    ;;
  start)
    llmproxy_pick_jdk || exit 1
    mkdir -p "$KC_DIST_ROOT"
    # One start at a time per distribution folder: the first start's build step writes into it,
    # and a test run may start the test instance while up.sh starts the local one.
    if command -v flock >/dev/null 2>&1; then
      exec 9>"$KC_DIST_ROOT/.start.lock"
      if ! flock -w "$KC_START_TIMEOUT" 9; then
        llmproxy_err "keycloak: another start holds $KC_DIST_ROOT/.start.lock for over ${KC_START_TIMEOUT}s"
        exit 1
      fi
    fi
    start_server
    ;;
esac
