#!/usr/bin/env bash
# shellcheck shell=bash
# Scenario `pipeline` (issue #16): the usage consumer's throughput and lag at a fixed event rate.
# bench/Pipeline.java (run on the broker's own jars, infra/local/.state/kafka/lib) produces valid
# UsageRecorded JSON (schema 4, unique eventIds) straight to the topic llmproxy.usage.v1, keyed by
# tenant id, for BENCH_PIPELINE_TENANTS (20) real tenants created here through the admin API (each
# with an API key), at each rate of BENCH_PIPELINE_RATE (events/s) for BENCH_PIPELINE_SECONDS, after
# BENCH_PIPELINE_WARMUP unmeasured seconds. It samples the consumer group's lag every second
# (committed offsets vs log end offsets, as kafka-consumer-groups computes it), then waits for lag 0,
# and measures the CPU of query-side, Kafka and PostgreSQL from /proc from the first produce to lag 0,
# and their idle work over BENCH_PIPELINE_IDLE (5) s with nothing produced just before.
# Afterwards: each tenant's usage_record rows and billing requests = the events produced for it
# (exactly once), and GET /audit/v1/verify?tenantId= ok.  Starts nothing of the stack: needs
# query-side and Kafka running (infra/local/up.sh).  Sourced by bench/run.sh after bench/lib.sh;
# report section 8.  Settings: BENCH_PIPELINE_RATE, _SECONDS, _WARMUP, _IDLE, _TENANTS, _DRAIN_TIMEOUT,
# _GROUP; LLMPROXY_QUERY_PORT, LLMPROXY_KAFKA_BOOTSTRAP / _PORT, LLMPROXY_DB_*.

PIPELINE_CLIENT=() PIPELINE_GROUPS_TOOL=() PIPELINE_TENANT_ARG="" PIPELINE_ROWS="" PIPELINE_LAGS="" PIPELINE_VERDICT="" PIPELINE_CHECK=""
declare -gA PIPELINE_EXPECTED=()

# pipeline_start: query-side and Kafka must be up; compiles bench/Pipeline.java on the broker's jars
pipeline_start() {
  local kafka_lib="$LLMPROXY_STATE_DIR/kafka/lib" hostport="${KAFKA_BOOTSTRAP%%,*}"
  health_up "$QUERY_PORT" || die "pipeline: query-side does not answer UP on :$QUERY_PORT (set LLMPROXY_QUERY_PORT; start the stack with infra/local/up.sh)"
  llmproxy_port_open "${hostport%:*}" "${hostport##*:}" || die "pipeline: Kafka does not answer on $hostport (LLMPROXY_KAFKA_BOOTSTRAP / LLMPROXY_KAFKA_PORT)"
  compgen -G "$kafka_lib/kafka-clients-*.jar" >/dev/null || die "pipeline: no Kafka jars in $kafka_lib (infra/kafka/start-kafka.sh puts them there)"
  "$JAVA_HOME/bin/javac" -cp "$kafka_lib/*" -d "$WORK/pipeline-classes" "$BENCH_DIR/Pipeline.java" "$BENCH_DIR/ProcCpu.java" || die "javac bench/Pipeline.java failed"
  PIPELINE_CLIENT=("$JAVA_HOME/bin/java" -Xms128m -Xmx512m -cp "$WORK/pipeline-classes:$kafka_lib/*" Pipeline)
  PIPELINE_GROUPS_TOOL=("$JAVA_HOME/bin/java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$kafka_lib/*"
    org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --describe --group "$PIPELINE_GROUP")
}
# pipeline_groups_lag RATE: the group's total lag per kafka-consumer-groups --describe (the broker's own
# tool), a cross-check of Pipeline.java's final figure; its output goes to the report's raw output
pipeline_groups_lag() {
  "${PIPELINE_GROUPS_TOOL[@]}" >"$WORK/pipeline-$1-groups.txt" 2>&1 || true
  awk -v g="$PIPELINE_GROUP" '$1 == g && $6 ~ /^[0-9]+$/ { s += $6; n++ } END { print n ? s : "?" }' "$WORK/pipeline-$1-groups.txt"
}

# pipeline_ready: the tenants, each with an API key (the events carry the key's id)
pipeline_ready() {
  local i tid kid
  log "pipeline: creating $PIPELINE_TENANTS tenants with an API key each"
  for i in $(seq 1 "$PIPELINE_TENANTS"); do
    tid="$(admin POST /admin/v1/tenants "{\"name\":\"bench-$TS-pipeline-$i\"}" | json_get tenantId)"
    [[ -n "$tid" ]] || die "no tenantId (pipeline tenant $i)"
    kid="$(admin POST "/admin/v1/tenants/$tid/api-keys" '{"name":"bench-pipeline"}' | json_get apiKeyId)"
    [[ -n "$kid" ]] || die "no apiKeyId (pipeline tenant $i)"
    PIPELINE_TENANT_ARG+="${PIPELINE_TENANT_ARG:+,}$tid:$kid"
    PIPELINE_EXPECTED[$tid]=0
  done
}

# pipe_get NAME FIELD: FIELD of the RESULT line of $WORK/pipeline-NAME.txt
pipe_get() { grep '^RESULT ' "$WORK/pipeline-$1.txt" | tr ' ' '\n' | awk -F= -v f="$2" '$1 == f { print $2 }'; }

# pipeline_run: each rate in turn; sets PIPELINE_ROWS, PIPELINE_LAGS, PIPELINE_VERDICT, then the checks
pipeline_run() {
  local rate qpid kpid load out n q pg bg k all sum idle net eps slope bounded tput verdicts=() tenant count drain_eps
  qpid="$(llmproxy_service_pid query-side || true)"
  kpid="$(llmproxy_service_pid kafka || pgrep -f 'kafka\.Kafka' | head -n 1 || true)"
  [[ -n "$qpid" && -n "$kpid" ]] || log "pipeline: query-side's or Kafka's pid is unknown (infra/local/.state/pids): no CPU figure for it"
  for rate in "${PIPELINE_RATES[@]}"; do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    log "pipeline: $rate events/s for ${PIPELINE_SECONDS}s to $KAFKA_BOOTSTRAP (after ${PIPELINE_WARMUP}s of warm-up), $PIPELINE_TENANTS tenants"
    out="$WORK/pipeline-$rate.txt"
    "${PIPELINE_CLIENT[@]}" "bootstrap=$KAFKA_BOOTSTRAP" "group=$PIPELINE_GROUP" "tenants=$PIPELINE_TENANT_ARG" \
      "provider=$P_MAIN" model=bench-model "provider_model=$UPSTREAM_MODEL" "rate=$rate" "seconds=$PIPELINE_SECONDS" \
      "warmup_s=$PIPELINE_WARMUP" "idle_s=$PIPELINE_IDLE" "drain_timeout_s=$PIPELINE_DRAIN_TIMEOUT" "cpu.query=${qpid:-}" "cpu.kafka=${kpid:-}" \
      "pg_db=$DB_NAME" "clk_tck=$(getconf CLK_TCK)" >"$out" 2>&1 || die "pipeline: bench/Pipeline.java failed: $(tail -5 "$out")"
    COMMANDS+=("java -cp 'infra/local/.state/kafka/lib/*' bench/Pipeline.java bootstrap=$KAFKA_BOOTSTRAP group=$PIPELINE_GROUP tenants=<$PIPELINE_TENANTS tenantId:apiKeyId> provider=<bench-sim> rate=$rate seconds=$PIPELINE_SECONDS warmup_s=$PIPELINE_WARMUP idle_s=$PIPELINE_IDLE drain_timeout_s=$PIPELINE_DRAIN_TIMEOUT cpu.query=<pid> cpu.kafka=<pid> pg_db=$DB_NAME")
    grep -v '^TENANT ' "$out" | sed 's/^/    /' >&2
    while read -r _ tenant count; do
      PIPELINE_EXPECTED[$tenant]=$((${PIPELINE_EXPECTED[$tenant]:-0} + count))
    done < <(grep '^TENANT ' "$out")
    n="$(pipe_get "$rate" events)"
    q="$(pipe_get "$rate" cpu_query_us)" k="$(pipe_get "$rate" cpu_kafka_us)"
    pg="$(pipe_get "$rate" cpu_pg_us)" bg="$(pipe_get "$rate" cpu_pg_bg_us)" all="$(pipe_get "$rate" cpu_pg_all_us)"
    sum="$(awk -v a="$q" -v b="$pg" -v c="$bg" -v d="$k" 'BEGIN { if (a == "-" || b == "-" || d == "-" || a == "" || b == "" || d == "") print "-"; else printf "%.0f", a + b + c + d }')"
    # the idle work of the same four during the run (measured with nothing produced): no event caused it
    idle="$(awk -v a="$(pipe_get "$rate" idle_query_us)" -v b="$(pipe_get "$rate" idle_pg_us)" -v c="$(pipe_get "$rate" idle_pg_bg_us)" -v d="$(pipe_get "$rate" idle_kafka_us)" \
      'BEGIN { if (a == "" || a == "-" || b == "" || b == "-" || d == "" || d == "-") print "-"; else printf "%.0f", a + b + c + d }')"
    net="$(awk -v s="$sum" -v i="$idle" 'BEGIN { if (s == "-" || i == "-") print "-"; else printf "%.0f", s - i }')"
    eps="$(pipe_get "$rate" consumer_eps)" slope="$(pipe_get "$rate" slope_eps)"
    # while draining, the consumer works off the backlog alone: its pace then (when ≥ 1 s of events)
    drain_eps="$(awk -v l="$(pipe_get "$rate" stop_lag)" -v d="$(pipe_get "$rate" drain_s)" -v r="$rate" 'BEGIN { if (d > 0 && l >= r) printf "%.0f", l / d; else print "-" }')"
    # bounded: over the second half of the production, the lag grew by less than 5 % of the rate per second
    bounded="$(awk -v s="$slope" -v r="$rate" 'BEGIN { if (s == "-" || s == "") print "n/a"; else if (s < 0.05 * r) print "bounded"; else print "grows" }')"
    # below 10,000 events/s the figure cannot reach the target (it is at most the produce rate): it
    # only misses when the consumer did not keep up with the rate
    if [[ "$eps" == - ]]; then
      tput="misses: not drained within ${PIPELINE_DRAIN_TIMEOUT} s"
    elif ((rate >= 10000)); then
      tput="$(awk -v v="$eps" 'BEGIN { print (v + 0 >= 10000) ? "meets" : "misses" }')"
    elif [[ "$bounded" == grows ]]; then
      tput="misses: it did not keep up with $rate events/s"
    else
      tput="n/a at this rate, which bounds the figure"
    fi
    PIPELINE_ROWS+="| $rate | $n | $(pipe_get "$rate" produce_rate) | $(pipe_get "$rate" send_errors) | **$(pipe_get "$rate" max_lag)** | $(pipe_get "$rate" stop_lag) | $(pipe_get "$rate" final_lag) (kafka-consumer-groups: $(pipeline_groups_lag "$rate")) | **$(pipe_get "$rate" drain_s)** | $(pipe_get "$rate" consume_s) | **$eps** | $drain_eps | $slope ($bounded) | $q | $pg | $bg | $k | **$sum** | $idle | **$net** | $all | $load |
"
    PIPELINE_LAGS+="- $rate events/s, lag each second from the first produce (the producer stops at ${PIPELINE_SECONDS} s): $(grep '^LAG ' "$out" | sed 's/.*lag=//' | paste -sd ' ' | sed 's/ /, /g')
"
    verdicts+=("at $rate events/s: consumer $eps events/s (target ≥ 10,000: $tput), CPU after a call $sum µs per event (target ≤ 120: $(verdict "$sum" 120); $net without the idle work: $(verdict "$net" 120)), lag $bounded (max $(pipe_get "$rate" max_lag), drained $(pipe_get "$rate" drain_s) s after the producer stopped)")
    log "pipeline: ${verdicts[-1]}"
  done
  PIPELINE_VERDICT="$(printf '%s; ' "${verdicts[@]}" | sed 's/; $//')"
  pipeline_check
}

# pipeline_check: exactly once (usage_record rows and billing requests per tenant = events produced)
# and the audit chains (GET /audit/v1/verify on query-side); sets PIPELINE_CHECK
pipeline_check() {
  local tenant ids="" rows billed exact=0 billing_ok=0 verified=0 chain_rows=0 v bad=()
  for tenant in "${!PIPELINE_EXPECTED[@]}"; do ids+="${ids:+,}'$tenant'"; done
  if have psql; then
    PGPASSWORD="${LLMPROXY_DB_PASSWORD:-}" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -Atqc \
      "SELECT t, (SELECT count(*) FROM usage_record u WHERE u.tenant_id = t), (SELECT coalesce(sum(requests), 0) FROM billing_daily b WHERE b.tenant_id = t) FROM unnest(ARRAY[$ids]) t" \
      -F ' ' >"$WORK/pipeline-counts.txt" || die "pipeline: psql on $DB_NAME failed"
    while read -r tenant rows billed; do
      if ((rows == PIPELINE_EXPECTED[$tenant])); then exact=$((exact + 1)); else bad+=("$tenant: $rows rows for ${PIPELINE_EXPECTED[$tenant]} events"); fi
      ((billed == PIPELINE_EXPECTED[$tenant])) && billing_ok=$((billing_ok + 1))
    done <"$WORK/pipeline-counts.txt"
  fi
  for tenant in "${!PIPELINE_EXPECTED[@]}"; do
    v="$(curl -sS --max-time 60 "http://127.0.0.1:$QUERY_PORT/audit/v1/verify?tenantId=$tenant" -H "Authorization: Bearer $LLMPROXY_ADMIN_TOKEN" || true)"
    if [[ "$(json_get ok <<<"$v" 2>/dev/null)" == true ]]; then
      verified=$((verified + 1)) chain_rows=$((chain_rows + $(json_get rows <<<"$v")))
    else
      bad+=("$tenant: audit verify ${v:-no answer}")
    fi
  done
  local total=0
  for tenant in "${!PIPELINE_EXPECTED[@]}"; do total=$((total + PIPELINE_EXPECTED[$tenant])); done
  if have psql; then
    PIPELINE_CHECK="exactly once: **$exact of $PIPELINE_TENANTS tenants** have as many usage_record rows as events produced for them ($total events in all, warm-ups included); billing_daily requests match for $billing_ok of $PIPELINE_TENANTS"
  else
    PIPELINE_CHECK="exactly once: not checked (no psql to count usage_record rows)"
  fi
  PIPELINE_CHECK+="; audit chains: **GET /audit/v1/verify ok for $verified of $PIPELINE_TENANTS tenants** ($chain_rows rows verified, admin events included)"
  ((${#bad[@]} == 0)) || PIPELINE_CHECK+=". **Failures:** $(printf '%s; ' "${bad[@]}" | sed 's/; $//')"
  log "pipeline: $PIPELINE_CHECK"
}

# pipeline_report: section 8 of the report
pipeline_report() {
  [[ -n "$PIPELINE_ROWS" ]] || return 0
  printf '## 8. Usage pipeline: %s events/s for %s s to %s, %s tenants (consumer group %s)\n\n' \
    "$(printf '%s' "${PIPELINE_RATES[*]}" | sed 's/ / and /g')" "$PIPELINE_SECONDS" "$KAFKA_BOOTSTRAP" "$PIPELINE_TENANTS" "$PIPELINE_GROUP"
  printf '| events/s asked | events | produce rate achieved | send errors | **max lag** | lag when the producer stopped | final lag | **drain s** (producer stop → lag 0) | first produce → lag 0 s | **consumer events/s** | consumer events/s while draining | lag slope, 2nd half, events/s | query-side µs/event | PostgreSQL (db) µs/event | PostgreSQL (shared) µs/event | Kafka µs/event | **CPU after a call, µs/event** | of which idle work, µs/event | **CPU after a call without the idle work, µs/event** | PostgreSQL (all on the machine) µs/event | load (1 min) |\n'
  printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$PIPELINE_ROWS"
  printf '%s\n' "$PIPELINE_LAGS"
  printf 'Targets (issue #16): the consumer sustains ≥ 10,000 events/s; the CPU spent after a call by the consumer, PostgreSQL and Kafka is ≤ 120 µs per call; the lag stays bounded. This run: %s. Checks: %s.\n\n' "$PIPELINE_VERDICT" "$PIPELINE_CHECK"
  # shellcheck disable=SC2016  # backquotes are markdown
  printf 'How to read it: the events go straight to Kafka (bench/Pipeline.java, acks=all, idempotent, linger 100 ms and batch.size 256 KiB, as the edge'"'"'s usage sender and producer), so the edge is not involved. Lag = Σ over the partitions of (log end offset − the group'"'"'s committed offset), read with the Admin API every second, as `kafka-consumer-groups --describe` computes it; the consumer commits after each poll'"'"'s database transaction, so lag 0 means every event is in PostgreSQL; the final lag is checked once more with the broker'"'"'s `kafka-consumer-groups --describe` (raw output below). Consumer events/s = events ÷ (first produce → lag 0): it cannot exceed the produce rate, so below 10,000 events/s it shows only whether the consumer kept up; a rate above the consumer'"'"'s capacity makes the lag grow and this figure then is the capacity. While draining = the lag when the producer stopped ÷ the drain time: the consumer'"'"'s pace on its backlog alone, given only when that backlog was a second of events or more. Bounded = the least-squares slope of the lag over the second half of the production is below 5 %% of the rate. CPU µs/event = utime+stime from /proc from the first produce to lag 0 ÷ events: query-side (the whole JVM: GC, JIT, its other processors), PostgreSQL (db) = the backends and autovacuum workers of database `%s` (query-side'"'"'s and command-side'"'"'s connections), PostgreSQL (shared) = its own processes (WAL writer, checkpointer, background writer, postmaster: they serve every database of the server), Kafka = the broker. The sum of those four is the verdict figure. Idle work = the same four'"'"'s CPU per second over %s s with nothing produced (just before the measured run: the event store'"'"'s, segments'"'"' and replay polls of query-side, the consumers'"'"' fetches, the edge'"'"'s snapshot polls on PostgreSQL, the broker'"'"'s own housekeeping) × the measured window ÷ events: work no event caused, which the per-event figures spread over the events (more of it per event at a lower rate); the column after it is the sum without it. "all on the machine" also counts other databases'"'"' backends (other programs on a shared server). A pipeline run first waits for lag 0 (events of the earlier scenarios), and its %s s warm-up at the same rate is not measured.\n\n' "$DB_NAME" "$PIPELINE_IDLE" "$PIPELINE_WARMUP"
}
