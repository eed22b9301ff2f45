#!/usr/bin/env bash
# Runs the whole test suite: `mvn -B verify` with a JDK >= 21 (picked by infra/local/lib.sh).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and Redis on 127.0.0.1:6379;
# Kafka is an embedded KRaft broker inside the tests. Extra arguments go to Maven, e.g.
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
for hp in "${LLMPROXY_TEST_DB_HOST:-127.0.0.1}:${LLMPROXY_TEST_DB_PORT:-5432}:PostgreSQL" "127.0.0.1:6379:Redis"; do
  IFS=: read -r host port name <<<"$hp"
  if ! llmproxy_port_open "$host" "$port"; then
    llmproxy_err "$name is not answering on $host:$port; the tests need it (see README, 'Prerequisites')"
    exit 1
  fi
done
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
if [[ "${LLMPROXY_TEST_KEYCLOAK:-}" == skip ]]; then
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
