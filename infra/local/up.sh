#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Starts the whole LLM Proxy locally, from any working directory:
#   checks PostgreSQL and Redis (and creates the database), builds the project, starts a
#   single-node Kafka broker (infra/kafka/start-kafka.sh), then the upstream simulator (5100),
#   command-side (5001), query-side (5002) and proxy-edge (5000), each waited for until
#   /actuator/health reports UP.  Safe to run twice; stop everything with infra/local/down.sh.
#
# Environment (all optional):
#   JAVA_HOME                       a JDK 21+; otherwise the newest one under /usr/lib/jvm
#   LLMPROXY_DB_HOST/PORT/NAME      PostgreSQL (127.0.0.1, 5432, llmproxy); user LLMPROXY_DB_USER
#                                   (postgres), password LLMPROXY_DB_PASSWORD (none: trust auth)
#   LLMPROXY_REDIS_HOST/PORT        Redis (127.0.0.1, 6379)
#   LLMPROXY_KAFKA_PORT             Kafka listener (9092); see infra/kafka/start-kafka.sh
#   LLMPROXY_SKIP_BUILD=1           use the jars already in */target instead of building
#   LLMPROXY_ADMIN_TOKEN            admin bearer token (default: generated once, kept in
#                                   infra/local/.state/admin-token)
#   LLMPROXY_SECRET_KEY             base64 of 32 bytes encrypting provider credentials (default:
#                                   generated once, kept in infra/local/.state/secret-key, 0600)
#   LLMPROXY_SERVICES               apps to start, e.g. "upstream-simulator command-side" (all;
#                                   "" = none: only the checks, the database and Kafka)
#   LLMPROXY_START_TIMEOUT          seconds to wait for each app's health (120)
#   LLMPROXY_APP_HEAP               -Xmx of each app (384m); LLMPROXY_JAVA_OPTS: extra JVM flags
#   LLMPROXY_SIMULATOR_PORT / _COMMAND_PORT / _QUERY_PORT / _EDGE_PORT   (5100/5001/5002/5000,
#                                   passed to the apps as SERVER_PORT)
#   --prometheus / LLMPROXY_PROMETHEUS=1   also start a Prometheus (Debian package prometheus) on
#                                   LLMPROXY_PROMETHEUS_PORT (9090) scraping every app with the rules of
#                                   infra/observability; the edge's actuator then moves to its own port
#                                   LLMPROXY_EDGE_MANAGEMENT_PORT (5090, 127.0.0.1) with /actuator/prometheus
#   LLMPROXY_KEYCLOAK_PORT          Keycloak (8080; management port LLMPROXY_KEYCLOAK_MANAGEMENT_PORT,
#                                   9000); LLMPROXY_KEYCLOAK=skip starts no Keycloak. The realm
#                                   llmproxy is provisioned at every run (infra/keycloak/provision-realm.sh;
#                                   LLMPROXY_UI_PORT 3000, LLMPROXY_PLATFORM_ADMIN_USER platform-admin)
#   LLMPROXY_UI=skip                do not build and serve the admin console (infra/local/admin-console.sh)
#   --replicas N / LLMPROXY_REPLICAS=N   N > 1 (issue #14): N instances each of command-side, query-side
#                                   and proxy-edge (named <service>-<i>, on port <service port> + 10*i,
#                                   e.g. proxy-edge-1 on 5010, proxy-edge-2 on 5020; each edge with its own
#                                   usage journal run/proxy-edge-<i>/usage-buffer) behind HAProxy
#                                   (infra/local/haproxy.sh) on the usual ports 5000/5001/5002; each
#                                   replica's database pool is LLMPROXY_REPLICA_DB_POOL (5) connections
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

PROMETHEUS="${LLMPROXY_PROMETHEUS:-0}"
REPLICAS="${LLMPROXY_REPLICAS:-1}"
while (($# > 0)); do
  case "$1" in
    --prometheus) PROMETHEUS=1 ;;
    --replicas) REPLICAS="${2:-}"; shift ;;
    --replicas=*) REPLICAS="${1#--replicas=}" ;;
    *)
      llmproxy_err "unknown argument: $1 (use --prometheus, --replicas N, or the environment variables in the header)"
      exit 2
      ;;
  esac
  shift
done
if [[ ! "$REPLICAS" =~ ^[1-9]$ ]]; then
  llmproxy_err "--replicas: a number from 1 to 9, not '$REPLICAS'"
  exit 2
fi
PROMETHEUS_PORT="${LLMPROXY_PROMETHEUS_PORT:-9090}"
EDGE_MANAGEMENT_PORT="${LLMPROXY_EDGE_MANAGEMENT_PORT:-5090}"

DB_HOST="${LLMPROXY_DB_HOST:-127.0.0.1}"
DB_PORT="${LLMPROXY_DB_PORT:-5432}"
DB_NAME="${LLMPROXY_DB_NAME:-llmproxy}"
DB_USER="${LLMPROXY_DB_USER:-postgres}"
REDIS_HOST="${LLMPROXY_REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${LLMPROXY_REDIS_PORT:-6379}"
KAFKA_PORT="${LLMPROXY_KAFKA_PORT:-9092}"
SIM_PORT="${LLMPROXY_SIMULATOR_PORT:-5100}"
COMMAND_PORT="${LLMPROXY_COMMAND_PORT:-5001}"
QUERY_PORT="${LLMPROXY_QUERY_PORT:-5002}"
EDGE_PORT="${LLMPROXY_EDGE_PORT:-5000}"
START_TIMEOUT="${LLMPROXY_START_TIMEOUT:-120}"
APP_HEAP="${LLMPROXY_APP_HEAP:-384m}"
read -r -a EXTRA_JAVA_OPTS <<<"${LLMPROXY_JAVA_OPTS:-}"

# service name | port | module directory (its target/*-exec.jar is started), in start order
ALL_SERVICES=("upstream-simulator|$SIM_PORT|infra/upstream-simulator")
for kind in "command-side|$COMMAND_PORT" "query-side|$QUERY_PORT" "proxy-edge|$EDGE_PORT"; do
  IFS='|' read -r kind_name kind_port <<<"$kind"
  if ((REPLICAS == 1)); then
    ALL_SERVICES+=("$kind_name|$kind_port|$kind_name")
  else
    for ((i = 1; i <= REPLICAS; i++)); do
      ALL_SERVICES+=("$kind_name-$i|$((kind_port + 10 * i))|$kind_name")
    done
  fi
done
# LLMPROXY_SERVICES="upstream-simulator command-side" starts only those apps (always in the
# order above); LLMPROXY_SERVICES="" starts none (backing services and Kafka only).
SERVICES=()
for entry in "${ALL_SERVICES[@]}"; do
  entry_kind="${entry%%|*}"
  entry_kind="${entry_kind%-[1-9]}"
  if [[ -z "${LLMPROXY_SERVICES+set}" || " ${LLMPROXY_SERVICES} " == *" $entry_kind "* ]]; then
    SERVICES+=("$entry")
  fi
done
for wanted in ${LLMPROXY_SERVICES-}; do
  [[ " upstream-simulator command-side query-side proxy-edge " == *" $wanted "* ]] || {
    printf '[llmproxy] ERROR: LLMPROXY_SERVICES: unknown service %s (known: upstream-simulator command-side query-side proxy-edge)\n' "$wanted" >&2
    exit 2
  }
done

started_at=$SECONDS
have() { command -v "$1" >/dev/null 2>&1; }
die() {
  llmproxy_err "$*"
  exit 1
}

# ---------------------------------------------------------------- 1. JDK
llmproxy_pick_jdk || exit 1
mkdir -p "$LLMPROXY_PID_DIR" "$LLMPROXY_LOG_DIR" "$LLMPROXY_STATE_DIR/run"

# ---------------------------------------------------------------- 2. PostgreSQL, Redis, database
postgres_up() {
  if have pg_isready; then
    pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -t 3
  else
    llmproxy_port_open "$DB_HOST" "$DB_PORT"
  fi
}

redis_up() {
  if have redis-cli; then
    [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)" == *PONG* ]]
  else
    llmproxy_port_open "$REDIS_HOST" "$REDIS_PORT"
  fi
}

check_backing_services() {
  local missing=0
  if ! postgres_up; then
    missing=1
    llmproxy_err "PostgreSQL does not answer at $DB_HOST:$DB_PORT."
    cat >&2 <<EOF
  Install it (Debian/Ubuntu):  apt-get install postgresql
  Start it:                    pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start
  (or point LLMPROXY_DB_HOST / LLMPROXY_DB_PORT at a running server; local connections need
   trust auth for user $DB_USER, or set LLMPROXY_DB_PASSWORD)
EOF
  fi
  if ! redis_up; then
    missing=1
    llmproxy_err "Redis does not answer at $REDIS_HOST:$REDIS_PORT."
    cat >&2 <<EOF
  Install it (Debian/Ubuntu):  apt-get install redis-server
  Start it:                    redis-server --daemonize yes --bind 127.0.0.1 --port $REDIS_PORT --save "" --appendonly no
  (or point LLMPROXY_REDIS_HOST / LLMPROXY_REDIS_PORT at a running server)
EOF
  fi
  ((missing == 0)) || exit 1
  llmproxy_log "PostgreSQL $DB_HOST:$DB_PORT and Redis $REDIS_HOST:$REDIS_PORT answer"
}

ensure_database() {
  if [[ ! "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    die "LLMPROXY_DB_NAME='$DB_NAME': use letters, digits and _ only"
  fi
  if ! have psql; then
    llmproxy_log "psql not found: cannot check that database '$DB_NAME' exists; create it yourself (apt-get install postgresql-client, then: createdb -h $DB_HOST -p $DB_PORT -U $DB_USER $DB_NAME)"
    return 0
  fi
  local exists
  if ! exists="$(PGPASSWORD="${LLMPROXY_DB_PASSWORD:-}" PGCONNECT_TIMEOUT=5 psql -X -q -w -v ON_ERROR_STOP=1 \
      -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" 2>&1)"; then
    die "cannot query PostgreSQL as '$DB_USER' at $DB_HOST:$DB_PORT: $exists"
  fi
  if [[ "$exists" == 1 ]]; then
    llmproxy_log "database '$DB_NAME' exists"
    return 0
  fi
  local out
  if ! out="$(PGPASSWORD="${LLMPROXY_DB_PASSWORD:-}" PGCONNECT_TIMEOUT=5 psql -X -q -w -v ON_ERROR_STOP=1 \
      -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -c "CREATE DATABASE \"$DB_NAME\"" 2>&1)"; then
    die "could not create database '$DB_NAME': $out"
  fi
  llmproxy_log "database '$DB_NAME' created"
}

check_backing_services
ensure_database

# ---------------------------------------------------------------- 3. build
# Newest <module>/target/*-exec.jar, or nothing.
find_jar() {
  local dir="$LLMPROXY_ROOT/$1/target" jar newest=""
  for jar in "$dir"/*-exec.jar; do
    [[ -f "$jar" ]] || continue
    if [[ -z "$newest" || "$jar" -nt "$newest" ]]; then
      newest="$jar"
    fi
  done
  [[ -n "$newest" ]] && printf '%s\n' "$newest"
}

all_running=1
for entry in ${SERVICES[@]+"${SERVICES[@]}"}; do
  IFS='|' read -r name _ _ <<<"$entry"
  llmproxy_service_pid "$name" >/dev/null || all_running=0
done

if ((${#SERVICES[@]} == 0)); then
  llmproxy_log "LLMPROXY_SERVICES is empty: no app to start, not building"
elif [[ "${LLMPROXY_SKIP_BUILD:-0}" == 1 ]]; then
  llmproxy_log "LLMPROXY_SKIP_BUILD=1: not building, using the jars in */target"
elif ((all_running)); then
  llmproxy_log "all apps already running: not rebuilding (run infra/local/down.sh first to pick up changes)"
else
  llmproxy_log "building: mvn -B -q -DskipTests package (in $LLMPROXY_ROOT; LLMPROXY_SKIP_BUILD=1 skips this)"
  build_started=$SECONDS
  if ! (cd "$LLMPROXY_ROOT" && llmproxy_mvn -B -q -DskipTests package); then
    die "the build failed (see above); fix it, or set LLMPROXY_SKIP_BUILD=1 to start the jars already built"
  fi
  llmproxy_log "build done in $((SECONDS - build_started))s"
fi

# Resolve the jars of the apps that are not running yet before anything is started.
declare -A JAR_OF=()
for entry in ${SERVICES[@]+"${SERVICES[@]}"}; do
  IFS='|' read -r name _ module <<<"$entry"
  llmproxy_service_pid "$name" >/dev/null && continue
  if ! jar="$(find_jar "$module")"; then
    if [[ "${LLMPROXY_SKIP_BUILD:-0}" == 1 ]]; then
      die "$module/target/*-exec.jar not found and LLMPROXY_SKIP_BUILD=1 is set: build first (mvn -B -DskipTests package at $LLMPROXY_ROOT) or unset LLMPROXY_SKIP_BUILD"
    fi
    die "the build produced no $module/target/*-exec.jar (is the spring-boot repackage classifier 'exec' configured in $module/pom.xml?)"
  fi
  JAR_OF[$name]="$jar"
done

# ---------------------------------------------------------------- 4. Kafka
bash "$LLMPROXY_ROOT/infra/kafka/start-kafka.sh"

# ---------------------------------------------------------------- 4b. Keycloak and its realm (ADR 0012)
keycloak_summary() { :; }
if [[ "${LLMPROXY_KEYCLOAK:-}" != skip ]]; then
  bash "$LLMPROXY_ROOT/infra/keycloak/start-keycloak.sh"
  bash "$LLMPROXY_ROOT/infra/keycloak/provision-realm.sh"
  keycloak_summary() { bash "$LLMPROXY_ROOT/infra/keycloak/provision-realm.sh" --summary; }
  # the admin apps accept the realm's access tokens too (ADR 0011 addendum): issuer as tokens carry it
  export LLMPROXY_SECURITY_JWT_ISSUERURI="${LLMPROXY_SECURITY_JWT_ISSUERURI:-http://localhost:${LLMPROXY_KEYCLOAK_PORT:-8080}/realms/llmproxy}"
  # tenant users are provisioned into the realm (query-side's processor) and get temporary passwords
  # (command-side), through the master realm's admin account, whose password never leaves its file
  # the edge accepts tenant users' access tokens too (validated locally with the realm's keys)
  export LLMPROXY_EDGE_JWT_ISSUERURI="${LLMPROXY_EDGE_JWT_ISSUERURI:-$LLMPROXY_SECURITY_JWT_ISSUERURI}"
  export LLMPROXY_IDENTITY_PROVISIONING_ENABLED="${LLMPROXY_IDENTITY_PROVISIONING_ENABLED:-true}"
  export LLMPROXY_IDENTITY_KEYCLOAK_SERVERURL="${LLMPROXY_IDENTITY_KEYCLOAK_SERVERURL:-http://127.0.0.1:${LLMPROXY_KEYCLOAK_PORT:-8080}}"
  export LLMPROXY_IDENTITY_KEYCLOAK_REALM="${LLMPROXY_IDENTITY_KEYCLOAK_REALM:-llmproxy}"
  export LLMPROXY_IDENTITY_KEYCLOAK_ADMINPASSWORDFILE="${LLMPROXY_IDENTITY_KEYCLOAK_ADMINPASSWORDFILE:-$LLMPROXY_STATE_DIR/keycloak/bootstrap-admin-password}"
fi
# the admin console's origins, the only ones CORS lets call the admin APIs from a browser (issue #13)
export LLMPROXY_ADMIN_UI_ORIGINS="${LLMPROXY_ADMIN_UI_ORIGINS:-http://localhost:${LLMPROXY_UI_PORT:-3000},http://127.0.0.1:${LLMPROXY_UI_PORT:-3000}}"

# ---------------------------------------------------------------- 5. secrets and app environment
# keep_secret VAR FILE GENERATOR: VAR from the environment, else FILE, else GENERATOR saved to FILE.
keep_secret() {
  local var="$1" file="$2" generator="$3" value
  if [[ -n "${!var:-}" ]]; then
    return 0
  fi
  if [[ -s "$file" ]]; then
    value="$(tr -d '[:space:]' <"$file")"
  else
    value="$("$generator")"
    (umask 077 && printf '%s\n' "$value" >"$file.tmp")
    mv -f "$file.tmp" "$file"
    llmproxy_log "generated $var, kept in $file"
  fi
  chmod 600 "$file"
  printf -v "$var" '%s' "$value"
}
gen_admin_token() { llmproxy_random_hex 24; }
gen_secret_key() { llmproxy_random_base64 32; }
keep_secret LLMPROXY_ADMIN_TOKEN "$LLMPROXY_STATE_DIR/admin-token" gen_admin_token
keep_secret LLMPROXY_SECRET_KEY "$LLMPROXY_STATE_DIR/secret-key" gen_secret_key

export LLMPROXY_DB_URL="jdbc:postgresql://$DB_HOST:$DB_PORT/$DB_NAME"
export LLMPROXY_DB_USER="$DB_USER"
if [[ -n "${LLMPROXY_DB_PASSWORD:-}" ]]; then
  export LLMPROXY_DB_PASSWORD
fi
export LLMPROXY_REDIS_HOST="$REDIS_HOST" LLMPROXY_REDIS_PORT="$REDIS_PORT"
export LLMPROXY_KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
export LLMPROXY_ADMIN_TOKEN LLMPROXY_SECRET_KEY
export AXONIQ_UPDATE_CHECKER_DISABLED=true

# ---------------------------------------------------------------- 6. apps
# health_status PORT: prints the top-level status of /actuator/health (UP, DOWN...) or nothing.
health_status() {
  local body
  body="$(curl -s --max-time 3 "http://127.0.0.1:$1/actuator/health" 2>/dev/null || true)"
  [[ -n "$body" ]] || return 0
  if have jq; then
    jq -r '.status // empty' <<<"$body" 2>/dev/null || true
  else
    grep -o '"status"[[:space:]]*:[[:space:]]*"[A-Z_]*"' <<<"$body" | head -n 1 | sed 's/.*"\([A-Z_]*\)"$/\1/' || true
  fi
}

# wait_health NAME PORT PID: 0 once UP; 1 on timeout; 2 if the process died.
wait_health() {
  local name="$1" port="$2" pid="$3" deadline status=""
  deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    status="$(health_status "$port")"
    [[ "$status" == UP ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 2
    sleep 1
  done
  llmproxy_err "$name: http://127.0.0.1:$port/actuator/health is not UP after ${START_TIMEOUT}s (last status: ${status:-no answer})"
  return 1
}

# start_service NAME PORT JAR: starts the app unless it already runs, waits for health UP.
# service_env NAME: prints the app's extra environment (one VAR=value a line); with --prometheus the
# edge serves its actuator, /actuator/prometheus included, on its own port bound to 127.0.0.1.
service_env() {
  local kind="${1%-[1-9]}"
  if [[ "$kind" == proxy-edge && "$1" != proxy-edge ]]; then
    # a replica: its own usage journal (a second edge on one directory fails at start)
    printf '%s\n' "LLMPROXY_USAGE_BUFFER_DIR=$LLMPROXY_STATE_DIR/run/$1/usage-buffer"
  fi
  if [[ "$kind" != "$1" ]]; then
    # replicas share one PostgreSQL (max_connections is often 100): smaller pools than Hikari's 10
    printf '%s\n' "SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE=${LLMPROXY_REPLICA_DB_POOL:-5}"
  fi
  if [[ "$kind" == proxy-edge && "$PROMETHEUS" == 1 ]]; then
    printf '%s\n' "MANAGEMENT_SERVER_PORT=$(edge_management_port "$1")" MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
      "LLMPROXY_ACTUATOR_EXPOSE=health,info,prometheus"
  fi
}
# edge_management_port NAME: the edge's actuator port with --prometheus (5090; replica i: 5090 + i).
edge_management_port() {
  if [[ "$1" =~ -([1-9])$ ]]; then printf '%s' "$((EDGE_MANAGEMENT_PORT + BASH_REMATCH[1]))"; else printf '%s' "$EDGE_MANAGEMENT_PORT"; fi
}
# health_port NAME PORT: where NAME's /actuator/health answers.
health_port() {
  if [[ "${1%-[1-9]}" == proxy-edge && "$PROMETHEUS" == 1 ]]; then edge_management_port "$1"; else printf '%s' "$2"; fi
}

start_service() {
  local name="$1" port="$2" jar="$3" pid log run_jar rc=0 t0=$SECONDS hport
  local -a extra_env=()
  hport="$(health_port "$name" "$port")"
  mapfile -t extra_env < <(service_env "$name")
  log="$LLMPROXY_LOG_DIR/$name.log"
  if pid="$(llmproxy_service_pid "$name")"; then
    local started_port
    started_port="$(cat "$LLMPROXY_PID_DIR/$name.port" 2>/dev/null || true)"
    if [[ -n "$started_port" && "$started_port" != "$port" ]]; then
      die "$name: already running (pid $pid) on port $started_port, but port $port was asked for; run infra/local/down.sh first"
    fi
    wait_health "$name" "$hport" "$pid" || rc=$?
    if ((rc == 0)); then
      llmproxy_log "$name: already running (pid $pid) on port $port"
      return 0
    fi
    llmproxy_tail_log "$log" 60
    die "$name: pid $pid is running but not healthy; see $log (infra/local/down.sh stops it)"
  fi
  rm -f "$(llmproxy_pid_file "$name")"
  if llmproxy_port_open 127.0.0.1 "$port"; then
    die "$name: port $port is already in use by a process not started by up.sh; stop it or set another port"
  fi
  [[ -f "$jar" ]] || die "$name: jar not found: $jar"
  # Run a copy, so that a rebuild (mvn package/clean) cannot pull the jar from under the JVM.
  run_jar="$LLMPROXY_STATE_DIR/run/$name.jar"
  cp -f "$jar" "$run_jar.tmp"
  mv -f "$run_jar.tmp" "$run_jar"
  [[ -f "$log" ]] && mv -f "$log" "$log.1"
  printf '===== %s: %s (from %s) on port %s =====\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$name" "${jar#"$LLMPROXY_ROOT"/}" "$port" >"$log"
  llmproxy_log "$name: starting on port $port (log: $log)"
  # cwd: the state dir's run/ (not the caller's cwd); exec keeps $! the JVM's pid.
  (
    cd "$LLMPROXY_STATE_DIR/run"
    SERVER_ADDRESS="${LLMPROXY_BIND_ADDRESS:-127.0.0.1}" SERVER_PORT="$port" exec nohup env ${extra_env[@]+"${extra_env[@]}"} "$JAVA_HOME/bin/java" -Xmx"$APP_HEAP" --enable-native-access=ALL-UNNAMED \
      "$(llmproxy_service_marker "$name")" ${EXTRA_JAVA_OPTS[@]+"${EXTRA_JAVA_OPTS[@]}"} \
      -jar "$run_jar" </dev/null >>"$log" 2>&1
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$(llmproxy_pid_file "$name")"
  printf '%s\n' "$port" >"$LLMPROXY_PID_DIR/$name.port"
  wait_health "$name" "$hport" "$pid" || rc=$?
  if ((rc != 0)); then
    ((rc == 2)) && llmproxy_err "$name: the process exited during start"
    llmproxy_tail_log "$log" 80
    llmproxy_stop_service "$name" 10 >/dev/null 2>&1 || true
    rm -f "$(llmproxy_pid_file "$name")"
    die "$name did not start; full log: $log"
  fi
  llmproxy_log "$name: UP after $((SECONDS - t0))s (pid $pid)"
}

for entry in ${SERVICES[@]+"${SERVICES[@]}"}; do
  IFS='|' read -r name port _ <<<"$entry"
  start_service "$name" "$port" "${JAR_OF[$name]:-}"
done

# ---------------------------------------------------------------- 6a. HAProxy in front of the replicas (--replicas N)
replicas_summary() { :; }
if ((REPLICAS > 1 && ${#SERVICES[@]} > 0)); then
  LLMPROXY_REPLICAS="$REPLICAS" LLMPROXY_EDGE_PORT="$EDGE_PORT" LLMPROXY_COMMAND_PORT="$COMMAND_PORT" \
    LLMPROXY_QUERY_PORT="$QUERY_PORT" bash "$LLMPROXY_ROOT/infra/local/haproxy.sh" start || die "HAProxy did not start"
  replicas_summary() {
    printf '  replicas            %s of each app behind HAProxy (stats http://127.0.0.1:%s/): edge %s, command %s, query %s\n' \
      "$REPLICAS" "${LLMPROXY_HAPROXY_STATS_PORT:-5099}" "$(seq -s, $((EDGE_PORT + 10)) 10 $((EDGE_PORT + 10 * REPLICAS)))" \
      "$(seq -s, $((COMMAND_PORT + 10)) 10 $((COMMAND_PORT + 10 * REPLICAS)))" "$(seq -s, $((QUERY_PORT + 10)) 10 $((QUERY_PORT + 10 * REPLICAS)))"
  }
fi

# The first platform administrator of the realm gets its PlatformAdmin role assignment (a command,
# so it is in the audit log; idempotent: 200 when already in force), so its access token works on
# the admin APIs (ADR 0011 addendum, 0013).
# Locally, the automation client's service account gets it too, so that the client-credentials curl
# printed below works as is; in production, assign it only what the automation needs.
if [[ "${LLMPROXY_KEYCLOAK:-}" != skip ]] && llmproxy_port_open 127.0.0.1 "$COMMAND_PORT"; then
  for principal in "${LLMPROXY_PLATFORM_ADMIN_USER:-platform-admin}" service-account-llmproxy-automation; do
    code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$COMMAND_PORT/admin/v1/role-assignments" \
      -H "Authorization: Bearer $LLMPROXY_ADMIN_TOKEN" -H 'Content-Type: application/json' \
      -d "{\"principal\":\"$principal\",\"role\":\"PlatformAdmin\"}" || true)"
    case "$code" in
      200|201) llmproxy_log "role assignment: $principal holds PlatformAdmin at platform scope" ;;
      *) llmproxy_err "could not assign PlatformAdmin to $principal (HTTP $code); its token will get 403" ;;
    esac
  done
fi

# ---------------------------------------------------------------- 6b. Prometheus (opt-in: --prometheus)
prometheus_summary() { :; }
if [[ "$PROMETHEUS" == 1 ]]; then
  if ! have prometheus; then
    llmproxy_err "--prometheus: the prometheus binary is not installed; install it with: sudo apt-get install -y prometheus (Debian/Ubuntu; it also brings promtool), then run up.sh --prometheus again"
  else
    prom_dir="$LLMPROXY_STATE_DIR/prometheus"
    mkdir -p "$prom_dir/rules" "$prom_dir/data"
    cp -f "$LLMPROXY_ROOT"/infra/observability/rules/*.yml "$prom_dir/rules/"
    (umask 077 && printf '%s\n' "$LLMPROXY_ADMIN_TOKEN" >"$prom_dir/admin-token")
    # targets: every instance (with --replicas N, each replica's own port)
    targets() { # targets BASE_PORT STEP
      if ((REPLICAS == 1)); then printf '127.0.0.1:%s' "$1"; return; fi
      local out="" i
      for ((i = 1; i <= REPLICAS; i++)); do out+="${out:+\", \"}127.0.0.1:$(($1 + $2 * i))"; done
      printf '%s' "$out"
    }
    sed -e "s/127.0.0.1:5090/$(targets "$EDGE_MANAGEMENT_PORT" 1)/" -e "s/127.0.0.1:5001/$(targets "$COMMAND_PORT" 10)/" \
      -e "s/127.0.0.1:5002/$(targets "$QUERY_PORT" 10)/" "$LLMPROXY_ROOT/infra/observability/prometheus.yml" >"$prom_dir/prometheus.yml"
    if llmproxy_service_pid prometheus >/dev/null; then
      llmproxy_log "prometheus: already running; reloading its configuration"
      kill -HUP "$(llmproxy_service_pid prometheus)" 2>/dev/null || true
    elif llmproxy_port_open 127.0.0.1 "$PROMETHEUS_PORT"; then
      die "prometheus: port $PROMETHEUS_PORT is already in use; set LLMPROXY_PROMETHEUS_PORT"
    else
      # argv[0] carries the marker down.sh looks for (llmproxy_service_pid); SIGHUP of the terminal is
      # ignored (nohup would exec again and drop that argv[0]); Prometheus still reloads on kill -HUP
      (
        cd "$prom_dir"
        trap '' HUP
        exec -a "prometheus $(llmproxy_service_marker prometheus)" prometheus --config.file="$prom_dir/prometheus.yml" \
          --storage.tsdb.path="$prom_dir/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
          </dev/null >"$LLMPROXY_LOG_DIR/prometheus.log" 2>&1
      ) &
      printf '%s\n' "$!" >"$(llmproxy_pid_file prometheus)"
      for _ in $(seq 1 30); do
        llmproxy_port_open 127.0.0.1 "$PROMETHEUS_PORT" && break
        sleep 1
      done
      llmproxy_port_open 127.0.0.1 "$PROMETHEUS_PORT" || llmproxy_err "prometheus did not open port $PROMETHEUS_PORT; see $LLMPROXY_LOG_DIR/prometheus.log"
    fi
    prometheus_summary() {
      printf '  Prometheus          http://127.0.0.1:%s   (targets: /targets; alerts: /alerts; edge metrics: http://127.0.0.1:%s/actuator/prometheus)\n' \
        "$PROMETHEUS_PORT" "$EDGE_MANAGEMENT_PORT"
    }
  fi
fi

# ---------------------------------------------------------------- 6c. the admin console (issue #13)
ui_summary() { printf '  admin console       not started (LLMPROXY_UI=skip)\n'; }
if ((${#SERVICES[@]} > 0)) && [[ "${LLMPROXY_UI:-}" != skip ]]; then
  if LLMPROXY_COMMAND_PORT="$COMMAND_PORT" LLMPROXY_QUERY_PORT="$QUERY_PORT" LLMPROXY_EDGE_PORT="$EDGE_PORT" bash "$LLMPROXY_ROOT/infra/local/admin-console.sh"; then
    ui_summary() {
      printf '  admin console       http://localhost:%s   (sign in as %s; static build of admin-console/, log %s/admin-console.log)\n' \
        "${LLMPROXY_UI_PORT:-3000}" "${LLMPROXY_PLATFORM_ADMIN_USER:-platform-admin}" "$LLMPROXY_LOG_DIR"
    }
  else
    ui_summary() { printf '  admin console       NOT started: see %s/admin-console.log\n' "$LLMPROXY_LOG_DIR"; }
  fi
fi

# ---------------------------------------------------------------- 7. summary
if ((${#SERVICES[@]} == 0)); then
  cat <<EOF

Backing services ready ($((SECONDS - started_at))s; JDK $LLMPROXY_JAVA_MAJOR at $JAVA_HOME); no app started (LLMPROXY_SERVICES is empty)
  Kafka       127.0.0.1:$KAFKA_PORT  (topic llmproxy.usage.v1; log $LLMPROXY_LOG_DIR/kafka.log)
  PostgreSQL  $LLMPROXY_DB_URL
  Redis       $REDIS_HOST:$REDIS_PORT
$(keycloak_summary)
  admin token: $LLMPROXY_ADMIN_TOKEN
  stop: infra/local/down.sh
EOF
  exit 0
fi
if have jq; then
  pick() { printf "jq -r .%s" "$1"; }
else
  pick() { printf "python3 -c \"import json,sys; print(json.load(sys.stdin)['%s'])\"" "$1"; }
fi
admin_json='-H "$A" -H "$J"'   # A and J: set by the block's second line, as in the README

cat <<EOF

LLM Proxy is up ($((SECONDS - started_at))s; JDK $LLMPROXY_JAVA_MAJOR at $JAVA_HOME)

  proxy-edge          http://127.0.0.1:$EDGE_PORT      (OpenAI-compatible /v1/chat/completions)
  command-side        http://127.0.0.1:$COMMAND_PORT      (admin API /admin/v1/...)
  query-side          http://127.0.0.1:$QUERY_PORT      (finance API /finance/v1/...)
  upstream simulator  http://127.0.0.1:$SIM_PORT/v1
  Kafka               127.0.0.1:$KAFKA_PORT        (topic llmproxy.usage.v1)
  PostgreSQL          $LLMPROXY_DB_URL
  Redis               $REDIS_HOST:$REDIS_PORT
$(printf '%s\n' "$(keycloak_summary)" "$(ui_summary)" "$(prometheus_summary)" "$(replicas_summary)" | sed '/^$/d')

  logs:  $LLMPROXY_LOG_DIR/{upstream-simulator,command-side,query-side,proxy-edge,kafka,keycloak,admin-console}.log (the last two when started)
  admin token:  $LLMPROXY_ADMIN_TOKEN
  stop:  infra/local/down.sh   (--purge also deletes Kafka's and Keycloak's data; the PostgreSQL database stays)

Try it (copy-paste; infra/local/demo.sh runs the same sequence):

export LLMPROXY_ADMIN_TOKEN=$LLMPROXY_ADMIN_TOKEN
A="Authorization: Bearer \$LLMPROXY_ADMIN_TOKEN"; J='Content-Type: application/json'   # the README's curl examples and these send -H "\$A" -H "\$J"
TENANT_ID=\$(curl -fsS -X POST http://127.0.0.1:$COMMAND_PORT/admin/v1/tenants $admin_json -d '{"name":"acme"}' | $(pick tenantId)); echo "\$TENANT_ID"
PROVIDER_ID=\$(curl -fsS -X POST http://127.0.0.1:$COMMAND_PORT/admin/v1/providers $admin_json -d '{"name":"sim","type":"openai","baseUrl":"http://127.0.0.1:$SIM_PORT/v1","apiKey":"sk-sim"}' | $(pick providerId)); echo "\$PROVIDER_ID"
curl -fsS -X PUT http://127.0.0.1:$COMMAND_PORT/admin/v1/routes/gpt-4o-mini $admin_json -d "{\"targets\":[{\"providerId\":\"\$PROVIDER_ID\",\"model\":\"sim-gpt-4o-mini\"}]}"; echo
KEY_JSON=\$(curl -fsS -X POST "http://127.0.0.1:$COMMAND_PORT/admin/v1/tenants/\$TENANT_ID/api-keys" $admin_json -d '{"name":"dev"}'); API_KEY=\$(echo "\$KEY_JSON" | $(pick key)); API_KEY_ID=\$(echo "\$KEY_JSON" | $(pick apiKeyId)); echo "\$API_KEY \$API_KEY_ID"
sleep 1   # a new key or route reaches the edge within ~0.5 s (read model + edge snapshot poll)
curl -sS http://127.0.0.1:$EDGE_PORT/v1/chat/completions -H "Authorization: Bearer \$API_KEY" -H "\$J" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello!"}]}'; echo
sleep 2   # usage travels edge → Kafka → billing projection
curl -sS "http://127.0.0.1:$QUERY_PORT/finance/v1/usage?tenantId=\$TENANT_ID&from=\$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)&to=\$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)&groupBy=model" -H "Authorization: Bearer \$LLMPROXY_ADMIN_TOKEN"; echo
EOF
