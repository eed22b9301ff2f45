#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Sends to Kafka the usage events left in the journal of an edge replica that will not come back
# (issue #14; ADR 0006). An edge that restarts on its own directory drains it itself; this is for a
# directory whose edge is gone for good (a replica scaled away, a volume moved to another host).
#
#   infra/local/drain-journal.sh DIR...                 drain each directory, then exit
#   LLMPROXY_KAFKA_BOOTSTRAP=host:9092 infra/local/drain-journal.sh DIR
#
# Environment: LLMPROXY_KAFKA_BOOTSTRAP (127.0.0.1:${LLMPROXY_KAFKA_PORT:-9092}); LLMPROXY_DRAIN_TIMEOUT
# seconds to wait for Kafka (120); LLMPROXY_KAFKA_PRODUCER_CONFIG a Kafka producer .properties file
# (security settings of a real cluster). Runs io.llmproxy.edge.usage.UsageJournalDrain from the
# edge's jar (proxy-edge/target/*-exec.jar; build it with mvn -DskipTests package). No Spring
# context, no Redis or database: only the directory and Kafka.
# Exit status: 0 drained; 1 events left (Kafka unreachable; run again); 2 bad arguments or a
# directory a running edge still holds.
set -euo pipefail
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

if (($# == 0)) || [[ "$1" == -h || "$1" == --help ]]; then
  sed -n '3,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
fi
llmproxy_pick_jdk || exit 2
jar=""
for candidate in "$LLMPROXY_ROOT"/proxy-edge/target/*-exec.jar; do
  [[ -f "$candidate" ]] && jar="$candidate"
done
[[ -n "$jar" ]] || { llmproxy_err "proxy-edge/target/*-exec.jar not found: build it first (mvn -B -DskipTests package)"; exit 2; }
args=(--bootstrap "${LLMPROXY_KAFKA_BOOTSTRAP:-127.0.0.1:${LLMPROXY_KAFKA_PORT:-9092}}"
  --timeout-seconds "${LLMPROXY_DRAIN_TIMEOUT:-120}")
if [[ -n "${LLMPROXY_KAFKA_PRODUCER_CONFIG:-}" ]]; then
  args+=(--producer-config "$LLMPROXY_KAFKA_PRODUCER_CONFIG")
fi
exec "$JAVA_HOME/bin/java" -cp "$jar" -Dloader.main=io.llmproxy.edge.usage.UsageJournalDrain \
  -Dlogback.configurationFile=usage-journal-drain-logback.xml \
  org.springframework.boot.loader.launch.PropertiesLauncher "${args[@]}" "$@"
