#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stops what infra/local/up.sh started (the admin console's static server, Prometheus when started with --prometheus, HAProxy and the replicas with --replicas N, proxy-edge, query-side, command-side, upstream
# simulator, Keycloak, then Kafka): TERM, up to 20 s grace, then KILL; removes the pid files.
# Safe to run twice.  PostgreSQL and Redis are left alone.
#
#   infra/local/down.sh            stop
#   infra/local/down.sh --purge    stop and delete Kafka's data (topics, offsets) and Keycloak's
#                                  (realm, users); not the DB, not the downloaded jars/server,
#                                  not the token/secrets/passwords/logs
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    -h | --help)
      sed -n '3,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      llmproxy_err "unknown argument: $arg (use --purge or --help)"
      exit 2
      ;;
  esac
done

grace="${LLMPROXY_STOP_GRACE:-20}"
stopped=0
# Reverse start order: the load balancer and the edge first, Kafka last (apps flush their producers
# on shutdown); replicas (up.sh --replicas N: <service>-<i>) with their kind.
for service in admin-console prometheus haproxy proxy-edge query-side command-side upstream-simulator keycloak kafka; do
  for name in "$service" $(cd "$LLMPROXY_PID_DIR" 2>/dev/null && ls -- "$service"-[1-9].pid 2>/dev/null | sed 's/\.pid$//'); do
    if llmproxy_stop_service "$name" "$grace"; then
      stopped=$((stopped + 1))
    fi
  done
done

# Pid files of services this version no longer knows about.
if [[ -d "$LLMPROXY_PID_DIR" ]]; then
  for pid_file in "$LLMPROXY_PID_DIR"/*.pid; do
    [[ -e "$pid_file" ]] || continue
    service="$(basename "$pid_file" .pid)"
    if llmproxy_stop_service "$service" "$grace"; then
      stopped=$((stopped + 1))
    fi
  done
fi

if ((stopped == 0)); then
  llmproxy_log "nothing running"
else
  llmproxy_log "stopped $stopped service(s)"
fi

if ((purge)); then
  kafka_state="$LLMPROXY_STATE_DIR/kafka"
  rm -rf "$kafka_state/data" "$kafka_state/cluster.id" "$kafka_state/format.out" \
    "$kafka_state/server.properties"
  llmproxy_log "purged Kafka data in $kafka_state/data (the database was not touched)"
  rm -rf "$LLMPROXY_STATE_DIR/keycloak/data"
  llmproxy_log "purged Keycloak data in $LLMPROXY_STATE_DIR/keycloak/data (up.sh provisions the realm again)"
fi
