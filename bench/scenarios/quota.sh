#!/usr/bin/env bash
# shellcheck shell=bash disable=SC2154  # d_*, e_*, t_*, sim_pid: rate_run's figures (scenarios/rate.sh)
# Scenario `quota`: the rate scenario's load through the edge with the key of a second tenant that
# has a tenant- and a key-level quota policy which never refuses: what the quota check (2 Lua calls)
# adds.  It builds on scenarios/rate.sh (run.sh sources both): rate_run calls quota_measure right
# after its edge run and quota_rows after its difference row, and section 1 of the report holds both.
# Settings: those of rate, BENCH_KEY_WAIT; LLMPROXY_REDIS_HOST/_PORT for the Redis figures.

quota_needs() { echo hey; }

# the policies: high enough never to refuse at BENCH_RATE, so every call pays the check
QUOTA_TENANT_POLICY='{"requestsPerMinute":100000000,"tokensPerMinute":1000000000000,"maxConcurrentRequests":100000}'
QUOTA_KEY_POLICY='{"tokensPerDay":1000000000000}'
QUOTA_API_KEY="" QUOTA_TENANT_ID="" QUOTA_KEY_ID="" QUOTA_WAIT_S="" QUOTA_PROBE_HEADERS="" QUOTA_KEY_COUNTER="" QUOTA_NOTE="" QUOTA_THREADS=""

# quota_ready: a second tenant and key, a key-level policy and then a tenant-level one. The edge's
# snapshot applies read-model changes in order, so once the tenant policy is enforced (a response
# carries x-ratelimit-limit-requests), the key policy set before it is too; with redis-cli, its
# counter (llmq:{tenant}:API_KEY:<id>:tpd:<day>) is also waited for.
quota_ready() {
  local quota_t0 deadline code
  log "quota: a second tenant with a tenant-level and a key-level quota policy"
  QUOTA_TENANT_ID="$(admin POST /admin/v1/tenants "{\"name\":\"bench-$TS-quota\"}" | json_get tenantId)"
  [[ -n "$QUOTA_TENANT_ID" ]] || die "no tenantId (quota tenant)"
  admin POST "/admin/v1/tenants/$QUOTA_TENANT_ID/api-keys" '{"name":"bench-quota"}' >"$WORK/quota-key.json"
  QUOTA_KEY_ID="$(json_get apiKeyId <"$WORK/quota-key.json")"
  QUOTA_API_KEY="$(json_get key <"$WORK/quota-key.json")"
  [[ -n "$QUOTA_KEY_ID" && -n "$QUOTA_API_KEY" ]] || die "no apiKeyId/key in the response (quota tenant)"
  quota_t0=$SECONDS
  admin PUT "/admin/v1/tenants/$QUOTA_TENANT_ID/api-keys/$QUOTA_KEY_ID/quota" "$QUOTA_KEY_POLICY" >/dev/null
  admin PUT "/admin/v1/tenants/$QUOTA_TENANT_ID/quota" "$QUOTA_TENANT_POLICY" >/dev/null
  COMMANDS+=("curl -X PUT $COMMAND_URL/admin/v1/tenants/<quota tenant>/api-keys/<its key>/quota -d '$QUOTA_KEY_POLICY'   # admin bearer token"
    "curl -X PUT $COMMAND_URL/admin/v1/tenants/<quota tenant>/quota -d '$QUOTA_TENANT_POLICY'")
  wait_edge_model bench-model "" "$QUOTA_API_KEY"
  deadline=$((SECONDS + KEY_WAIT))
  while :; do
    code="$(curl -sS -D "$WORK/quota-probe.headers" -o "$WORK/chat.out" -w '%{http_code}' --max-time 20 \
      "$EDGE_URL/v1/chat/completions" -H "Authorization: Bearer $QUOTA_API_KEY" -H 'Content-Type: application/json' \
      -d "$CHAT_BODY_EDGE" 2>/dev/null || true)"
    [[ "$code" == 200 ]] || die "quota: the edge answers HTTP ${code:-000} for the quota tenant's key: $(cat "$WORK/chat.out" 2>/dev/null)"
    if grep -qi '^x-ratelimit-limit-requests:' "$WORK/quota-probe.headers"; then
      if ! have redis-cli; then break; fi
      QUOTA_KEY_COUNTER="$(redis_cli --scan --pattern "llmq:{$QUOTA_TENANT_ID}:API_KEY:$QUOTA_KEY_ID:tpd:*" | head -n 1 || true)"
      [[ -n "$QUOTA_KEY_COUNTER" ]] && break
    fi
    ((SECONDS < deadline)) || die "quota: the edge does not enforce the quota policies after ${KEY_WAIT}s (no x-ratelimit-limit-requests header$(have redis-cli && echo ' or no key-level counter in Redis'))"
    sleep 0.25
  done
  QUOTA_WAIT_S=$((SECONDS - quota_t0))
  QUOTA_PROBE_HEADERS="$(grep -i '^x-ratelimit-' "$WORK/quota-probe.headers" | tr -d '\r' | sort | paste -sd ';' | sed 's/;/; /g')"
  log "quota: enforced within ${QUOTA_WAIT_S}s of the PUTs ($QUOTA_PROBE_HEADERS)${QUOTA_KEY_COUNTER:+; key-level counter $QUOTA_KEY_COUNTER}"
}

# quota_prime: the quota path (Redisson, the Lua calls, the rate-limit headers) needs its own JIT warm-up
quota_prime() {
  log "prime: $((PRIME / 4)) closed-loop requests to the edge with the quota tenant's key"
  hey -n "$((PRIME / 4))" -c 8 -t 10 -m POST -T application/json -H "Authorization: Bearer $QUOTA_API_KEY" -d "$CHAT_BODY_EDGE" \
    "$EDGE_URL/v1/chat/completions" >"$WORK/prime-quota.txt" 2>&1 || true
  COMMANDS+=("hey -n $((PRIME / 4)) -c 8 ... (prime with the quota tenant's key, not measured)")
}

# quota_measure (from rate_run, after its edge run): the quota run and its table row
quota_measure() {
  hey_run edge-quota "$EDGE_URL/v1/chat/completions" "$QUOTA_API_KEY" "$CHAT_BODY_EDGE" "$EDGE_PID"
  read -r q_rps q_p50 q_p90 q_p99 q_max q_n q_err <<<"$(hey_parse edge-quota)"
  q_sim_cpu="$(cpu_per_req "$HEY_SIM0" "$HEY_SIM1" 0 "$q_n")"
  q_edge_cpu="$(cpu_per_req "$HEY_EDGE0" "$HEY_EDGE1" 0 "$q_n")"
  read -r q_lua q_lua_us q_redis_cpu <<<"$(redis_delta "$HEY_REDIS0" "$HEY_REDIS1" "$q_n")"
  QUOTA_THREADS="$(thread_rows "$HEY_TH0" "$HEY_TH1" "$q_n" "$HEY_TW0" "$HEY_TW1")"
  q_429="$(hey_status "$WORK/hey-edge-quota.txt" 429)" q_429_warm="$(hey_status "$WORK/hey-edge-quota-warmup.txt" 429)"
  q_429_prime="$(hey_status "$WORK/prime-quota.txt" 429)"
  RATE_ROWS+="| through proxy-edge, **quota policies** (tenant + key) | $q_rps | $q_n | $q_p50 | $q_p90 | $q_p99 | $q_max | $q_err | $q_sim_cpu | $q_edge_cpu | $q_lua / $q_redis_cpu |
"
  pairs+=("proxy-edge with quotas:$q_rps")
}

# quota_rows (from rate_run, after the edge − direct row): the difference rows, the verdicts, QUOTA_NOTE
quota_rows() {
  local q_refused
  RATE_ROWS+="
| **edge − direct, with quota policies** | | | **$(diff_ms "$q_p50" "$d_p50")** | $(diff_ms "$q_p90" "$d_p90") | **$(diff_ms "$q_p99" "$d_p99")** | $(diff_ms "$q_max" "$d_max") | | | | |
| **quota check: with − without quota policies** | | | **$(diff_ms "$q_p50" "$e_p50")** | $(diff_ms "$q_p90" "$e_p90") | **$(diff_ms "$q_p99" "$e_p99")** | $(diff_ms "$q_max" "$e_max") | | | $(awk -v a="$q_edge_cpu" -v b="$e_edge_cpu" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%+d", a - b }') | |"
  RATE_DELTA="without quota policies: $RATE_DELTA; with quota policies: added p50 $(diff_ms "$q_p50" "$d_p50") ms (target ≤ 0.5: $(verdict "$(diff_ms "$q_p50" "$d_p50")" 0.5)), added p99 $(diff_ms "$q_p99" "$d_p99") ms (target ≤ 2: $(verdict "$(diff_ms "$q_p99" "$d_p99")" 2)); the quota check itself: p50 $(diff_ms "$q_p50" "$e_p50") ms, p99 $(diff_ms "$q_p99" "$e_p99") ms"
  q_refused=$((q_429 + q_429_warm + q_429_prime))
  if ((q_refused == 0)); then
    QUOTA_NOTE="No request of the quota run was refused: 0 × 429 in the measured run, its warm-up and the quota prime."
  else
    QUOTA_NOTE="**$q_refused requests of the quota run were refused with 429** ($q_429 measured, $q_429_warm in the warm-up, $q_429_prime in the prime): the policies are not the never-refusing ones this scenario needs, and the figures include refusals."
  fi
  QUOTA_NOTE+=" Policies: tenant \`$QUOTA_TENANT_POLICY\`, key \`$QUOTA_KEY_POLICY\`; the edge enforced them ${QUOTA_WAIT_S} s after the PUTs (first response with rate-limit headers: \`$QUOTA_PROBE_HEADERS\`)${QUOTA_KEY_COUNTER:+, key-level counter \`${QUOTA_KEY_COUNTER}\` present in Redis}. Redis during the quota run: $q_lua Lua calls (EVAL/EVALSHA) per request, $q_lua_us µs each inside Redis, $q_redis_cpu µs Redis CPU per request (without quota policies: $e_lua calls, $e_redis_cpu µs per request)."
  log "quota: $QUOTA_NOTE"
}

# quota alone still needs rate's direct and edge runs (its baseline), and reports in section 1
quota_run() { wants rate || rate_run; }
quota_report() { wants rate || rate_report; }
