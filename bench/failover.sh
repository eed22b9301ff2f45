#!/usr/bin/env bash
# The failover scenario (issue #11): what a failover costs beyond the failed attempt.
#
# Against the running local stack (infra/local/up.sh), it creates a tenant, an API key, a provider on
# the simulator and BENCH_FO_ROUTES routes "bench-fo-<i>" whose first target (priority 0) is a
# provider of its own on a closed port (connection refused: the failed attempt costs ~0.1 ms) and
# whose second target is the simulator; plus "bench-fo-direct" with the simulator only. Each failing
# provider is called BENCH_FO_CALLS (default 4) times, fewer than the 5 failures that open its breaker,
# so every measured call really fails over. Calls are sequential (no queueing), timed by curl.
#
# Reports p50/p90/p99 of the call time through the edge for failover calls and direct ones, and the
# difference: the failover's added time including the refused connection. The routing bookkeeping's
# CPU per call is measured separately by the JMH benchmark RoutingBenchmark (proxy-edge tests).
#
#   BENCH_FO_ROUTES=50 BENCH_FO_CALLS=4 bench/failover.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ROUTES="${BENCH_FO_ROUTES:-50}"
CALLS="${BENCH_FO_CALLS:-4}"
EDGE="http://127.0.0.1:${LLMPROXY_EDGE_PORT:-5000}"
CMD="http://127.0.0.1:${LLMPROXY_COMMAND_PORT:-5001}"
SIM="http://127.0.0.1:${LLMPROXY_SIMULATOR_PORT:-5100}/v1"
RESULTS="${BENCH_RESULTS_DIR:-$ROOT/bench/results}"
[[ "$ROUTES" =~ ^[0-9]+$ && "$CALLS" =~ ^[1-4]$ ]] || { echo "[failover] BENCH_FO_ROUTES must be a number, BENCH_FO_CALLS 1..4" >&2; exit 2; }
TOKEN="${LLMPROXY_ADMIN_TOKEN:-$(tr -d '[:space:]' <"$ROOT/infra/local/.state/admin-token" 2>/dev/null || true)}"
[[ -n "$TOKEN" ]] || { echo "[failover] no admin token: run infra/local/up.sh first" >&2; exit 1; }
curl -fs -o /dev/null "$EDGE/actuator/health" || curl -fs -o /dev/null "http://127.0.0.1:${LLMPROXY_EDGE_MANAGEMENT_PORT:-5090}/actuator/health" || { echo "[failover] the edge does not answer on $EDGE: run infra/local/up.sh" >&2; exit 1; }
A="Authorization: Bearer $TOKEN"; J='Content-Type: application/json'
post() { curl -fsS -X "$1" "$CMD$2" -H "$A" -H "$J" -d "$3"; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

TS="$(date -u +%Y%m%dT%H%M%SZ)"
tenant=$(post POST /admin/v1/tenants "{\"name\":\"bench-fo-$TS\"}" | field tenantId)
sim=$(post POST /admin/v1/providers "{\"name\":\"bench-fo-sim\",\"type\":\"openai\",\"baseUrl\":\"$SIM\",\"apiKey\":\"sk-bench\"}" | field providerId)
post PUT /admin/v1/routes/bench-fo-direct-$TS "{\"targets\":[{\"providerId\":\"$sim\",\"model\":\"sim-bench\"}]}" >/dev/null
for i in $(seq 1 "$ROUTES"); do
  dead=$(post POST /admin/v1/providers "{\"name\":\"bench-fo-dead-$i\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:9/v1\",\"apiKey\":\"sk-x\"}" | field providerId)
  post PUT "/admin/v1/routes/bench-fo-$i-$TS" "{\"strategy\":\"priority\",\"targets\":[{\"providerId\":\"$dead\",\"model\":\"x\",\"priority\":0},{\"providerId\":\"$sim\",\"model\":\"sim-bench\",\"priority\":1}]}" >/dev/null
  # the failed attempt alone: a route to another dead provider only (answers 502 upstream_unreachable)
  alone=$(post POST /admin/v1/providers "{\"name\":\"bench-fo-alone-$i\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:9/v1\",\"apiKey\":\"sk-x\"}" | field providerId)
  post PUT "/admin/v1/routes/bench-fo-alone-$i-$TS" "{\"targets\":[{\"providerId\":\"$alone\",\"model\":\"x\"}]}" >/dev/null
done
key=$(post POST "/admin/v1/tenants/$tenant/api-keys" '{"name":"bench-fo"}' | field key)

call() { # model → "<seconds> <attempts>"
  curl -s -o /dev/null -D "$WORK/h" -w '%{time_total}' "$EDGE/v1/chat/completions" -H "Authorization: Bearer $key" -H "$J" \
    -d "{\"model\":\"$1\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
  printf ' %s\n' "$(tr -d '\r' <"$WORK/h" | sed -n 's/^x-llmproxy-attempts: //Ip')"
}
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do   # until the edge's snapshot knows the key and the last route
  [[ "$(call "bench-fo-$ROUTES-$TS" | cut -d' ' -f2)" =~ ^[12]$ ]] && break; sleep 0.2
done
# warm both paths, then alternate them so that both see the same machine state
for _ in $(seq 1 50); do call "bench-fo-direct-$TS" >/dev/null; done
: >"$WORK/fo"; : >"$WORK/direct"; : >"$WORK/alone"; : >"$WORK/unknown"
for c in $(seq 1 "$CALLS"); do
  for i in $(seq 1 "$ROUTES"); do
    [[ $c -eq 1 && $i -eq 1 ]] && continue   # the wait above already failed over once on the last route
    call "bench-fo-$i-$TS" >>"$WORK/fo"
    call "bench-fo-direct-$TS" >>"$WORK/direct"
    call "bench-fo-alone-$i-$TS" >>"$WORK/alone"
    call "bench-fo-no-such-model" >>"$WORK/unknown"
  done
done
pct() { sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int((NR-1)*p/100)+1; printf "%.3f", v[i]*1000}'; }
n_fo=$(awk '$2==2' "$WORK/fo" | wc -l)
n_bad=$(awk '$2!=2' "$WORK/fo" | wc -l)
mkdir -p "$RESULTS"
out="$RESULTS/failover-$TS.md"
{
  echo "# failover scenario, $TS"
  echo
  echo "$ROUTES failing providers × $CALLS calls (< 5, so no breaker opens), sequential, curl-timed; $(nproc) cores."
  echo "Calls that failed over (x-llmproxy-attempts: 2): $n_fo; others: $n_bad."
  echo
  echo "| ms | p50 | p90 | p99 |"
  echo "| --- | --- | --- | --- |"
  echo "| direct route through the edge | $(cut -d' ' -f1 "$WORK/direct" | pct 50) | $(cut -d' ' -f1 "$WORK/direct" | pct 90) | $(cut -d' ' -f1 "$WORK/direct" | pct 99) |"
  echo "| failover (refused connection, then the simulator) | $(awk '$2==2{print $1}' "$WORK/fo" | pct 50) | $(awk '$2==2{print $1}' "$WORK/fo" | pct 90) | $(awk '$2==2{print $1}' "$WORK/fo" | pct 99) |"
  echo "| the failed attempt alone (route to the dead provider only: 502) | $(cut -d' ' -f1 "$WORK/alone" | pct 50) | $(cut -d' ' -f1 "$WORK/alone" | pct 90) | $(cut -d' ' -f1 "$WORK/alone" | pct 99) |"
  echo "| no upstream call at all (unknown model: 404) | $(cut -d' ' -f1 "$WORK/unknown" | pct 50) | $(cut -d' ' -f1 "$WORK/unknown" | pct 90) | $(cut -d' ' -f1 "$WORK/unknown" | pct 99) |"
  fo=$(awk '$2==2{print $1}' "$WORK/fo" | pct 50); di=$(cut -d' ' -f1 "$WORK/direct" | pct 50)
  al=$(cut -d' ' -f1 "$WORK/alone" | pct 50); un=$(cut -d' ' -f1 "$WORK/unknown" | pct 50)
  echo
  echo "Added by a failover at p50, the refused attempt included: **$(awk -v a="$fo" -v b="$di" 'BEGIN{printf "%.3f", a-b}') ms**;"
  echo "the failed attempt's own time (alone − unknown model) is $(awk -v a="$al" -v b="$un" 'BEGIN{printf "%.3f", a-b}') ms, so the"
  echo "failover adds **$(awk -v f="$fo" -v d="$di" -v a="$al" -v u="$un" 'BEGIN{printf "%.3f", (f-d)-(a-u)}') ms** beyond the failed attempt's own time."
} | tee "$out"
echo "[failover] report: $out" >&2
