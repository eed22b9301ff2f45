#!/usr/bin/env bash
# Runs the whole test suite: `mvn -B verify` with a JDK >= 21 (picked by infra/local/lib.sh).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and Redis on 127.0.0.1:6379;
# Kafka is an embedded KRaft broker inside the tests. Extra arguments go to Maven, e.g.
#   infra/local/test.sh -pl proxy-edge -am
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
export AXONIQ_UPDATE_CHECKER_DISABLED=true
# Maven 3.8's bundled Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every start.
if [[ "${LLMPROXY_JAVA_MAJOR:-0}" -ge 24 ]]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
llmproxy_log "mvn -B verify $* (JDK: $JAVA_HOME)"
exec mvn -B -Dstyle.color=never verify "$@"
