#!/usr/bin/env bash
# Runs the whole test suite: `mvn -B verify` with a JDK >= 21 (picked by infra/local/lib.sh).
# Where the services come from (test-support's TestServices): LLMPROXY_TEST_SERVICES=auto (default)
# uses Testcontainers containers (PostgreSQL, Redis, Kafka, Keycloak) when a Docker engine answers,
# else the local services; =local or =containers forces one. Local: PostgreSQL on 127.0.0.1:5432
# (user postgres, trust auth), Redis on 127.0.0.1:6379, Kafka an embedded KRaft broker inside the
# tests. Extra arguments go to Maven, e.g.
#   infra/local/test.sh -pl proxy-edge -am
# Keycloak: a test instance (infra/keycloak/start-keycloak.sh --test: port
# LLMPROXY_TEST_KEYCLOAK_PORT=8180, management 9180, its own data under
# infra/local/.state/test-keycloak) is started once before Maven and stopped after, unless one
# already answers on that port (then it is used and left running). LLMPROXY_TEST_KEYCLOAK=skip
# starts none (a test that needs it then starts it itself and leaves it running).
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"
llmproxy_pick_jdk || exit 1
cd "$LLMPROXY_ROOT"
services="${LLMPROXY_TEST_SERVICES:-auto}"
case "${services,,}" in
  auto) command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && services=containers ;;
  local | containers) services="${services,,}" ;;
  *) llmproxy_err "LLMPROXY_TEST_SERVICES must be local, containers or auto, not '$services'"; exit 1 ;;
esac
if [[ "$services" == containers ]]; then
  # the tests fail with a clear message if Testcontainers cannot reach Docker after all
  export LLMPROXY_TEST_SERVICES=containers
  llmproxy_log "test services: Testcontainers containers (no local PostgreSQL, Redis or Keycloak needed)"
fi
if [[ "$services" != containers ]]; then
  for hp in "${LLMPROXY_TEST_DB_HOST:-127.0.0.1}:${LLMPROXY_TEST_DB_PORT:-5432}:PostgreSQL" "${LLMPROXY_REDIS_HOST:-127.0.0.1}:${LLMPROXY_REDIS_PORT:-6379}:Redis"; do
    IFS=: read -r host port name <<<"$hp"
    if ! llmproxy_port_open "$host" "$port"; then
      llmproxy_err "$name is not answering on $host:$port; the tests need it (see README, 'Prerequisites')"
      exit 1
    fi
  done
fi
# the admin console's end-to-end test (system-tests AdminConsoleE2ETest) drives Debian's Chromium with
# playwright-core; no browser is ever downloaded by npm. Installed here when missing (root + apt-get).
if ! command -v chromium >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    llmproxy_log "installing Debian's chromium (for the admin console's browser test)"
    apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
  else
    llmproxy_err "chromium is not installed; the admin console's browser test needs it: apt-get install -y chromium (as root)"
    exit 1
  fi
fi
export AXONIQ_UPDATE_CHECKER_DISABLED=true
# Maven 3.8's bundled Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every start.
if [[ "${LLMPROXY_JAVA_MAJOR:-0}" -ge 24 ]]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

KC_TEST_PORT="${LLMPROXY_TEST_KEYCLOAK_PORT:-8180}"
if [[ "$services" == containers ]]; then
  llmproxy_log "no local test Keycloak: the tests start a Keycloak container"
elif [[ "${LLMPROXY_TEST_KEYCLOAK:-}" == skip ]]; then
  llmproxy_log "LLMPROXY_TEST_KEYCLOAK=skip: no test Keycloak started"
elif curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$KC_TEST_PORT/realms/master"; then
  llmproxy_log "a Keycloak already answers on 127.0.0.1:$KC_TEST_PORT: the tests use it, and it is left running"
else
  kc_started=$SECONDS
  trap 'bash "$LLMPROXY_ROOT/infra/keycloak/start-keycloak.sh" --test stop' EXIT
  bash "$LLMPROXY_ROOT/infra/keycloak/start-keycloak.sh" --test start
  llmproxy_log "test Keycloak ready in $((SECONDS - kc_started))s (stopped when the tests end)"
fi

llmproxy_log "mvn -B verify $* (JDK: $JAVA_HOME)"
mvn -B -Dstyle.color=never verify "$@"
