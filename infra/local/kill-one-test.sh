#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Survives losing one, under load (issue #14). Against `infra/local/up.sh --replicas 2` (started here
# when HAProxy is not running), with a steady load of non-streamed and streamed chat calls and admin
# commands (infra/local/kill-one/load.mjs, Node 20), it kills one replica of each kind with SIGKILL,
# one kind after another (proxy-edge-1, then command-side-1, then query-side-1), and starts it again
# with up.sh. Then it checks:
#   - every call answered 200 (a stream: 200 and its [DONE]) is billed exactly once: the tenant's
#     usage_record rows with outcome SUCCESS = the calls the clients saw succeed, and the finance API's
#     request count agrees;
#   - the tenant's audit chains verify (GET /audit/v1/verify);
#   - every admin command answered 201 is there: each key it issued has its ApiKeyIssued in the key's history;
#   - clients saw failures only while an instance was lost, and only connection errors or HAProxy's
#     502/503 for requests in flight on it;
#   - the admin read model and admin audit chains equal a replay from zero, replayed with both query-sides running.
# It prints, and writes to bench/results/kill-one-<UTC>.md, the calls, billed, lost and duplicated
# counts and each kind's recovery time. Traffic stays on 127.0.0.1; bounded: the load stops at
# LLMPROXY_KILL_MAX_SECONDS (600) whatever happens. Exit status 0 when every check holds.
# Needs: haproxy, node (20+), psql, jq, curl.
set -euo pipefail
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"
for tool in haproxy node psql jq curl; do
  command -v "$tool" >/dev/null || { llmproxy_err "kill-one-test: $tool is not installed"; exit 2; }
done
EDGE=http://127.0.0.1:${LLMPROXY_EDGE_PORT:-5000}
COMMAND=http://127.0.0.1:${LLMPROXY_COMMAND_PORT:-5001}
QUERY=http://127.0.0.1:${LLMPROXY_QUERY_PORT:-5002}
QUERY_1=http://127.0.0.1:$((${LLMPROXY_QUERY_PORT:-5002} + 10))
QUERY_2=http://127.0.0.1:$((${LLMPROXY_QUERY_PORT:-5002} + 20))
SIM=http://127.0.0.1:${LLMPROXY_SIMULATOR_PORT:-5100}
STATS=http://127.0.0.1:${LLMPROXY_HAPROXY_STATS_PORT:-5099}
DB=(psql_retry -X -q -At -h "${LLMPROXY_DB_HOST:-127.0.0.1}" -p "${LLMPROXY_DB_PORT:-5432}" -U "${LLMPROXY_DB_USER:-postgres}" -d "${LLMPROXY_DB_NAME:-llmproxy}")
# psql, again for up to 30 s while the server refuses connections (six apps hold many of them)
psql_retry() {
  local i
  for i in $(seq 1 30); do
    psql "$@" 2>"$WORK/psql.err" && return 0
    grep -q 'too many clients' "$WORK/psql.err" || { cat "$WORK/psql.err" >&2; return 1; }
    sleep 1
  done
  cat "$WORK/psql.err" >&2
  return 1
}
WORK="$LLMPROXY_STATE_DIR/kill-one"
mkdir -p "$WORK"
rm -f "$WORK"/stop "$WORK"/load.json
export LLMPROXY_SKIP_BUILD="${LLMPROXY_SKIP_BUILD:-0}"

if ! llmproxy_service_pid haproxy >/dev/null; then
  llmproxy_log "kill-one-test: starting the stack with 2 replicas of each app"
  bash "$LLMPROXY_ROOT/infra/local/up.sh" --replicas 2 >"$WORK/up.log" 2>&1 || { tail -30 "$WORK/up.log"; exit 1; }
fi
TOKEN="${LLMPROXY_ADMIN_TOKEN:-$(cat "$LLMPROXY_STATE_DIR/admin-token")}"
admin() { # admin METHOD URL [JSON]: the body; fails on a non-2xx answer
  curl -fsS -X "$1" "$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}
}
# up_in_haproxy SERVER: 0 when HAProxy's health checks see it UP
up_in_haproxy() { curl -fsS "$STATS/;csv" | awk -F, -v s="$1" '$2 == s { print $18 }' | grep -qx UP; }

# ---------------------------------------------------------------- the tenant under load
stamp=$(date -u +%Y%m%dT%H%M%SZ)
TENANT_ID=$(admin POST "$COMMAND/admin/v1/tenants" "{\"name\":\"kill-one-$stamp\"}" | jq -r .tenantId)
PROVIDER_ID=$(admin POST "$COMMAND/admin/v1/providers" "{\"name\":\"kill-sim-$stamp\",\"type\":\"openai\",\"baseUrl\":\"$SIM/v1\",\"apiKey\":\"sk-sim\"}" | jq -r .providerId)
MODEL="kill-model-$stamp"
admin PUT "$COMMAND/admin/v1/tenants/$TENANT_ID/routes/$MODEL" "{\"targets\":[{\"providerId\":\"$PROVIDER_ID\",\"model\":\"sim-kill\"}]}" >/dev/null 2>&1 ||
  admin PUT "$COMMAND/admin/v1/routes/$MODEL" "{\"targets\":[{\"providerId\":\"$PROVIDER_ID\",\"model\":\"sim-kill\"}]}" >/dev/null
API_KEY=$(admin POST "$COMMAND/admin/v1/tenants/$TENANT_ID/api-keys" '{"name":"kill-one-load"}' | jq -r .key)
# both edges serve the model before the load starts (each has its own snapshot)
for port in $((${LLMPROXY_EDGE_PORT:-5000} + 10)) $((${LLMPROXY_EDGE_PORT:-5000} + 20)); do
  for _ in $(seq 1 60); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/chat/completions" -H "Authorization: Bearer $API_KEY" \
      -H 'Content-Type: application/json' -d "{\"model\":\"$MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"warm\"}]}")
    [[ "$code" == 200 ]] && break
    sleep 0.5
  done
  [[ "$code" == 200 ]] || { llmproxy_err "edge on $port does not serve $MODEL (HTTP $code)"; exit 1; }
done
warm_calls=2

# ---------------------------------------------------------------- load, and one kill of each kind
max_s="${LLMPROXY_KILL_MAX_SECONDS:-600}"
EDGE="$EDGE" COMMAND="$COMMAND" API_KEY="$API_KEY" ADMIN_TOKEN="$TOKEN" TENANT_ID="$TENANT_ID" MODEL="$MODEL" \
  DURATION_S="$max_s" STOP_FILE="$WORK/stop" OUT="$WORK/load.json" \
  CHAT_RATE="${LLMPROXY_KILL_CHAT_RATE:-40}" STREAMS="${LLMPROXY_KILL_STREAMS:-4}" COMMAND_RATE="${LLMPROXY_KILL_COMMAND_RATE:-2}" \
  node "$LLMPROXY_ROOT/infra/local/kill-one/load.mjs" >"$WORK/load.log" 2>&1 &
load_pid=$!
load_t0=$(date +%s%3N)
trap 'touch "$WORK/stop"' EXIT
sleep "${LLMPROXY_KILL_SETTLE:-10}"

declare -A KILLED_AT UP_AT LB_UP_AT
for kind in proxy-edge command-side query-side; do
  victim="$kind-1"
  pid=$(llmproxy_service_pid "$victim") || { llmproxy_err "$victim is not running"; exit 1; }
  KILLED_AT[$kind]=$(( $(date +%s%3N) - load_t0 ))
  kill -KILL "$pid"
  llmproxy_log "kill-one-test: SIGKILL $victim (pid $pid) at +${KILLED_AT[$kind]} ms"
  sleep 2
  LLMPROXY_SKIP_BUILD=1 LLMPROXY_UI=skip LLMPROXY_SERVICES="$kind" bash "$LLMPROXY_ROOT/infra/local/up.sh" --replicas 2 \
    >"$WORK/restart-$kind.log" 2>&1 || { tail -30 "$WORK/restart-$kind.log"; exit 1; }
  UP_AT[$kind]=$(( $(date +%s%3N) - load_t0 ))
  for _ in $(seq 1 60); do up_in_haproxy "$victim" && break; sleep 0.5; done
  LB_UP_AT[$kind]=$(( $(date +%s%3N) - load_t0 ))
  llmproxy_log "kill-one-test: $victim healthy again at +${UP_AT[$kind]} ms, in HAProxy at +${LB_UP_AT[$kind]} ms"
  sleep "${LLMPROXY_KILL_SETTLE:-10}"
done
touch "$WORK/stop"
wait "$load_pid" || { cat "$WORK/load.log"; exit 1; }
cat "$WORK/load.log"
L="$WORK/load.json"

# ---------------------------------------------------------------- checks
fail=0
check() { # check NAME OK(0|1) DETAIL
  if [[ "$2" == 1 ]]; then printf '| %s | ok | %s |\n' "$1" "$3"; else printf '| %s | **FAILED** | %s |\n' "$1" "$3"; fail=1; fi
}
ok_calls=$(( $(jq '.chat.ok + .stream.ok' "$L") + warm_calls ))
# billing settles: the edges' journals reach Kafka, the consumer writes the ledger
billed=0
for _ in $(seq 1 120); do
  billed=$("${DB[@]}" -c "SELECT count(*) FROM usage_record WHERE tenant_id = '$TENANT_ID' AND outcome = 'SUCCESS'")
  ((billed >= ok_calls)) && break
  sleep 1
done
sleep 3
billed=$("${DB[@]}" -c "SELECT count(*) FROM usage_record WHERE tenant_id = '$TENANT_ID' AND outcome = 'SUCCESS'")
other=$("${DB[@]}" -c "SELECT count(*) FROM usage_record WHERE tenant_id = '$TENANT_ID' AND outcome <> 'SUCCESS'")
from=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ); to=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
finance=$(admin GET "$QUERY/finance/v1/usage?tenantId=$TENANT_ID&from=$from&to=$to&groupBy=model" | jq '.totals.requests')
verify=$(admin GET "$QUERY/audit/v1/verify?tenantId=$TENANT_ID")
keys_ok=$(jq '.command.ok' "$L"); keys_missing=0
for id in $(jq -r '.command.apiKeyIds[]' "$L"); do
  admin GET "$QUERY/admin/v1/tenants/$TENANT_ID/api-keys/$id/history" | jq -e '.items | map(.eventType) | index("ApiKeyIssued")' >/dev/null ||
    keys_missing=$((keys_missing + 1))
done
# a failure belongs to a kill when it happened between the kill and the victim's return to HAProxy (+2 s)
window_of() { # window_of AT_MS: the kind whose loss covers it, or "none"
  local k
  for k in proxy-edge command-side query-side; do
    (($1 >= ${KILLED_AT[$k]} - 1000 && $1 <= ${LB_UP_AT[$k]} + 2000)) && { printf '%s' "$k"; return; }
  done
  printf none
}
outside=0; bad_class=0
while IFS=$'\t' read -r at class; do
  [[ -n "$at" ]] || continue
  w=$(window_of "$at")
  [[ "$w" == none ]] && outside=$((outside + 1))
  [[ "$class" == connection:* || "$class" == http-502 || "$class" == http-503 || "$class" == incomplete ]] || bad_class=$((bad_class + 1))
done < <(jq -r '(.chat.failures + .stream.failures + .command.failures)[] | select(.class != "http-409") | [.at, .class] | @tsv' "$L")
# 409 concurrent_modification: two instances changed the tenant at the same moment and the loser's
# retries ran out (ADR 0015); designed, not lost (nothing of it was applied), counted apart
conflicts=$(jq '[.command.failures[] | select(.class == "http-409")] | length' "$L")

# the admin read model and the admin audit chains equal a replay from zero, replayed with both
# query-sides running: the replay is coordinated across them (ADR 0023)
sum_rm() { "${DB[@]}" -c "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
  SELECT 'k' || row(k.*)::text AS t FROM rm_api_key k UNION ALL SELECT 't' || row(x.*)::text FROM rm_tenant x
  UNION ALL SELECT 'u' || row(u.*)::text FROM rm_user u UNION ALL SELECT 'q' || row(q.*)::text FROM rm_quota_policy q
  UNION ALL SELECT 'r' || row(r.*)::text FROM rm_route r UNION ALL SELECT 'p' || row(p.*)::text FROM rm_provider p
  UNION ALL SELECT 'a' || concat_ws(',', chain_id, seq, event_id, hash) FROM audit_log WHERE source = 'admin') s"; }
RM_TABLES="rm_api_key rm_tenant rm_user rm_quota_policy rm_route rm_provider"
# xmin: the transaction that wrote a row; every row rewritten by the replay has one above the newest before it
xmin_sql() { # xmin_sql min|max
  local t parts=()
  for t in $RM_TABLES audit_log; do parts+=("SELECT $1(xmin::text::bigint) AS x FROM $t$([[ $t == audit_log ]] && echo " WHERE source = 'admin'")"); done
  local IFS='|'
  printf 'SELECT %s(x) FROM (%s) s' "$1" "$(printf '%s UNION ALL ' "${parts[@]}" | sed 's/ UNION ALL $//')"
}
before=$(sum_rm)
newest_before=$("${DB[@]}" -c "$(xmin_sql max)")
replay_code=""; replay_states=""
for processor in admin-read-model audit-admin; do
  code=$(curl -s -o "$WORK/replay-$processor.json" -D "$WORK/replay-$processor.headers" -w '%{http_code}' -X POST \
    "$QUERY_1/admin/v1/projections/$processor/replay" -H "Authorization: Bearer $TOKEN")
  replay_code="$replay_code $processor:$code"
  location=$(tr -d '\r' <"$WORK/replay-$processor.headers" | awk 'tolower($1) == "location:" { print $2 }')
  state=none
  for _ in $(seq 1 120); do # asked of query-side-1, followed on query-side-2
    sleep 1
    state=$(curl -s "$QUERY_2$location" -H "Authorization: Bearer $TOKEN" | jq -r '.state // "none"' 2>/dev/null || echo none)
    [[ "$state" == DONE || "$state" == FAILED ]] && break
  done
  replay_states="$replay_states $processor:$state"
done
after=""; rewritten=0
for _ in $(seq 1 120); do
  sleep 1
  oldest_now=$("${DB[@]}" -c "$(xmin_sql min)")
  after=$(sum_rm)
  if [[ -n "$oldest_now" ]] && ((oldest_now > newest_before)); then
    rewritten=1
    [[ "$after" == "$before" ]] && break
  fi
done

report="$LLMPROXY_ROOT/bench/results/kill-one-$stamp.md"
# the report is written in this shell (not a pipeline's subshell), so that a failed check sets the exit status
exec 3>&1 >"$report"
{
  printf '# Kill one of each kind under load (%s)\n\n' "$stamp"
  printf 'infra/local/kill-one-test.sh: 2 replicas of each app behind HAProxy; load %s chat calls/s, %s concurrent streams, %s admin commands/s.\n\n' \
    "${LLMPROXY_KILL_CHAT_RATE:-40}" "${LLMPROXY_KILL_STREAMS:-4}" "${LLMPROXY_KILL_COMMAND_RATE:-2}"
  printf '| | sent | answered 200 (stream: with [DONE]) | failed |\n| --- | --- | --- | --- |\n'
  for k in chat stream command; do
    printf '| %s | %s | %s | %s |\n' "$k" "$(jq ".$k.sent" "$L")" "$(jq ".$k.ok" "$L")" "$(jq ".$k.failures | length" "$L")"
  done
  printf '\nAdmin commands refused with 409 concurrent_modification (two instances, one tenant aggregate, retries exhausted; nothing applied): %s\n' "$conflicts"
  printf '\nFailures by class: %s\n\n' "$(jq -c '[(.chat.failures + .stream.failures + .command.failures)[] | .class] | group_by(.) | map({(.[0]): length}) | add // {}' "$L")"
  printf '| kind (victim *-1) | killed at | healthy again (restart by up.sh) | in HAProxy again | recovery |\n| --- | --- | --- | --- | --- |\n'
  for k in proxy-edge command-side query-side; do
    printf '| %s | +%s ms | +%s ms | +%s ms | %s s |\n' "$k" "${KILLED_AT[$k]}" "${UP_AT[$k]}" "${LB_UP_AT[$k]}" \
      "$(awk -v a="${KILLED_AT[$k]}" -v b="${LB_UP_AT[$k]}" 'BEGIN { printf "%.1f", (b - a) / 1000 }')"
  done
  printf '\n| check | result | figures |\n| --- | --- | --- |\n'
  check "answered 200 = billed once" "$([[ "$billed" == "$ok_calls" ]] && echo 1 || echo 0)" \
    "answered 200: $ok_calls (incl. $warm_calls warm-up); billed (usage_record SUCCESS): $billed; lost: $((ok_calls > billed ? ok_calls - billed : 0)) (with durable answers, the default, a call's answer ends only once its usage event is written to the journal, so a SIGKILL loses none of them; with llmproxy.edge.usage-buffer-durable-answers=false it may lose the events of the last milliseconds: ADR 0006); billed but not answered 200: $((billed > ok_calls ? billed - ok_calls : 0)); other outcomes billed: $other"
  check "finance API agrees" "$([[ "$finance" == "$((billed + other))" ]] && echo 1 || echo 0)" "totals.requests $finance"
  check "duplicates" 1 "usage_record's primary key is event_id: a redelivered event cannot count twice"
  check "audit chains verify" "$(jq -r 'if .ok then 1 else 0 end' <<<"$verify")" "$(jq -c '{ok, rows}' <<<"$verify")"
  check "admin commands answered 201 kept" "$([[ "$keys_missing" == 0 ]] && echo 1 || echo 0)" "$keys_ok keys issued, $keys_missing without ApiKeyIssued in their history"
  check "failures only while an instance was lost" "$([[ "$outside" == 0 ]] && echo 1 || echo 0)" "$outside failures outside the kill windows"
  check "failures are connection errors or 502/503" "$([[ "$bad_class" == 0 ]] && echo 1 || echo 0)" "$bad_class of another class"
  check "read model and admin audit = replay from zero" "$([[ "$replay_code" == " admin-read-model:202 audit-admin:202" && "$replay_states" == " admin-read-model:DONE audit-admin:DONE" && "$rewritten" == 1 && "$after" == "$before" ]] && echo 1 || echo 0)" \
    "replays asked of query-side-1 with query-side-2 running (coordinated, ADR 0023): HTTP$replay_code, states$replay_states; every row rewritten: $rewritten; checksum of $RM_TABLES and admin audit rows before $before, after ${after:-none}"
}
exec >&3 3>&-
cat "$report"
llmproxy_log "kill-one-test: report in ${report#"$LLMPROXY_ROOT"/}"
exit "$fail"
