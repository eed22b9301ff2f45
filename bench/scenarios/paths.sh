#!/usr/bin/env bash
# shellcheck shell=bash disable=SC2153  # EDGE_URL, PATHS_RATE...: settings of bench/lib.sh
# Scenario `paths`: the added latency of each translation path, non-streamed, at a lower fixed rate
# than `rate`: the OpenAI client format to each provider type (openai, azure-openai, anthropic,
# mistral, ollama, cohere), and the Anthropic, Ollama and OpenAI Responses client formats to the
# openai provider; each against the same provider-format request sent straight to the simulator.
# Sourced by bench/run.sh after bench/lib.sh; report section 5.
# Settings: BENCH_PATHS, BENCH_PATHS_RATE, BENCH_PATHS_DURATION, BENCH_PATHS_WARMUP,
# BENCH_PATHS_CONNECTIONS, BENCH_PATHS_PRIME.

paths_needs() { echo hey; }

# One provider of each type, all on the simulator (:SIM_PORT, which speaks each provider's wire
# format), each with a route bench-path-<type> to the upstream model sim-bench (for azure-openai:
# the deployment). The client-format paths use bench-model (openai provider).
declare -gA PATH_BASE_URL=([openai]="$SIM_URL/v1" [azure-openai]="$SIM_URL" [anthropic]="$SIM_URL"
  [mistral]="$SIM_URL/mistral/v1" [ollama]="$SIM_URL" [cohere]="$SIM_URL")
OLLAMA_PROVIDER_KEY="" PATHS_SETUP_NOTE=""
wants_path() { [[ " ${PATH_LIST[*]} " == *" $1 "* ]]; }
# paths_routes (before the API key exists): the providers and routes
paths_routes() {
  local t key code pid
  for t in openai azure-openai anthropic mistral ollama cohere; do
    wants_path "$t" || continue
    key="$SIM_KEY"
    if [[ "$t" == ollama ]]; then
      # Ollama has no auth: register it with apiKey "" (then the edge sends no Authorization);
      # if the admin API refuses an empty key, fall back to a placeholder and say so in the report.
      code="$(curl -sS -o "$WORK/admin.out" -w '%{http_code}' -X POST "$COMMAND_URL/admin/v1/providers" \
        -H "Authorization: Bearer $LLMPROXY_ADMIN_TOKEN" -H 'Content-Type: application/json' \
        --data-binary "{\"name\":\"bench-path-ollama-$TS\",\"type\":\"ollama\",\"baseUrl\":\"${PATH_BASE_URL[ollama]}\",\"apiKey\":\"\"}" || true)"
      if [[ "$code" == 2?? ]]; then
        pid="$(json_get providerId <"$WORK/admin.out")"
      else
        OLLAMA_PROVIDER_KEY="ollama-no-auth"
        PATHS_SETUP_NOTE="The admin API refused the ollama provider with \`\"apiKey\":\"\"\` (HTTP $code: $(tr -d '\n' <"$WORK/admin.out" | cut -c1-200)), so it was registered with the placeholder key \`$OLLAMA_PROVIDER_KEY\`: the edge then sends \`Authorization: Bearer $OLLAMA_PROVIDER_KEY\` to the simulator (which ignores it), and the direct ollama request carries the same header."
        log "paths: $PATHS_SETUP_NOTE"
        pid="$(admin POST /admin/v1/providers "{\"name\":\"bench-path-ollama-$TS\",\"type\":\"ollama\",\"baseUrl\":\"${PATH_BASE_URL[ollama]}\",\"apiKey\":\"$OLLAMA_PROVIDER_KEY\"}" | json_get providerId)"
      fi
    else
      pid="$(admin POST /admin/v1/providers "{\"name\":\"bench-path-$t-$TS\",\"type\":\"$t\",\"baseUrl\":\"${PATH_BASE_URL[$t]}\",\"apiKey\":\"$key\"}" | json_get providerId)"
    fi
    [[ -n "$pid" ]] || die "no providerId (paths, type $t)"
    route "bench-path-$t" "$pid"
  done
}

# path_def PATH: the path's two requests. Sets PD_LABEL, PD_D_URL, PD_D_HDRS (array), PD_D_BODY
# (straight to the simulator, in the provider's own wire format, as the edge sends it) and PD_E_URL,
# PD_E_HDRS, PD_E_BODY (to the edge, in the client's format).
path_def() {
  local msgs="\"messages\":[{\"role\":\"user\",\"content\":\"$PROMPT\"}]"
  PD_E_URL="$EDGE_URL/v1/chat/completions" PD_E_HDRS=("Authorization: Bearer $API_KEY")
  PD_E_BODY="{\"model\":\"bench-path-$1\",$msgs}"
  PD_D_URL="$SIM_URL/v1/chat/completions" PD_D_HDRS=("Authorization: Bearer $SIM_KEY")
  PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",$msgs}"
  case "$1" in
    openai) PD_LABEL="OpenAI client → openai" ;;
    azure-openai)
      PD_LABEL="OpenAI client → azure-openai"
      PD_D_URL="$SIM_URL/openai/deployments/$UPSTREAM_MODEL/chat/completions?api-version=2024-10-21"
      PD_D_HDRS=("api-key: $SIM_KEY") ;;
    anthropic)
      PD_LABEL="OpenAI client → anthropic"
      PD_D_URL="$SIM_URL/v1/messages" PD_D_HDRS=("x-api-key: $SIM_KEY" "anthropic-version: 2023-06-01")
      PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",\"max_tokens\":4096,$msgs}" ;; # the edge's default max_tokens
    mistral)
      PD_LABEL="OpenAI client → mistral"
      PD_D_URL="$SIM_URL/mistral/v1/chat/completions" ;;
    ollama)
      PD_LABEL="OpenAI client → ollama"
      PD_D_URL="$SIM_URL/api/chat" PD_D_HDRS=()
      [[ -z "$OLLAMA_PROVIDER_KEY" ]] || PD_D_HDRS=("Authorization: Bearer $OLLAMA_PROVIDER_KEY")
      PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",$msgs,\"stream\":false}" ;;
    cohere)
      PD_LABEL="OpenAI client → cohere"
      PD_D_URL="$SIM_URL/v2/chat"
      PD_D_BODY="{\"model\":\"$UPSTREAM_MODEL\",$msgs,\"stream\":false}" ;;
    client-anthropic)
      PD_LABEL="Anthropic client (/v1/messages) → openai"
      PD_E_URL="$EDGE_URL/v1/messages" PD_E_HDRS=("x-api-key: $API_KEY" "anthropic-version: 2023-06-01")
      PD_E_BODY="{\"model\":\"bench-model\",\"max_tokens\":1024,$msgs}" ;;
    client-ollama)
      PD_LABEL="Ollama client (/api/chat) → openai"
      PD_E_URL="$EDGE_URL/api/chat"
      PD_E_BODY="{\"model\":\"bench-model\",$msgs,\"stream\":false}" ;;
    client-responses)
      PD_LABEL="OpenAI Responses client (/v1/responses, store:false) → openai"
      PD_E_URL="$EDGE_URL/v1/responses" PD_E_HDRS=("Authorization: Bearer $API_KEY")
      PD_E_BODY="{\"model\":\"bench-model\",\"max_output_tokens\":1024,\"store\":false,\"input\":${msgs#*:}}" ;;
    *) die "unknown path $1" ;;
  esac
}
# path_probe URL BODY [HEADER...]: "<HTTP status> <answer tokens>" of one request; the tokens are
# the first completion_tokens / output_tokens / eval_count in the answer ("-" when none)
path_probe() {
  local url="$1" body="$2" h code tokens
  shift 2
  local hargs=()
  for h in "$@"; do hargs+=(-H "$h"); done
  code="$(curl -sS -o "$WORK/probe.out" -w '%{http_code}' --max-time 20 -X POST "$url" -H 'Content-Type: application/json' \
    ${hargs[@]+"${hargs[@]}"} --data-binary "$body" 2>/dev/null || true)"
  tokens="$(grep -o '"\(completion_tokens\|output_tokens\|eval_count\)" *: *[0-9]*' "$WORK/probe.out" 2>/dev/null \
    | head -n 1 | grep -o '[0-9]*$' || true)"
  echo "${code:-000} ${tokens:--}"
}
# Each path: the edge must know its route (401/404 are retried, as above), and both of its requests
# must answer 200 before any load. A path that fails here is reported as failed, not measured.
declare -gA PATH_FAILED=() PATH_TOKENS=()
# paths_ready (once the key works): probes each path once
paths_ready() {
  local n deadline e_code e_tok d_code d_tok
  for n in "${PATH_LIST[@]}"; do
    path_def "$n"
    deadline=$((SECONDS + KEY_WAIT))
    while :; do
      read -r e_code e_tok <<<"$(path_probe "$PD_E_URL" "$PD_E_BODY" "${PD_E_HDRS[@]}")"
      [[ "$e_code" == 200 ]] && break
      if [[ "$e_code" != 401 && "$e_code" != 404 ]] || ((SECONDS >= deadline)); then break; fi
      sleep 0.25
    done
    read -r d_code d_tok <<<"$(path_probe "$PD_D_URL" "$PD_D_BODY" ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"})"
    if [[ "$e_code" != 200 || "$d_code" != 200 ]]; then
      PATH_FAILED[$n]="direct HTTP $d_code, edge HTTP $e_code"
      [[ "$e_code" == 200 ]] || PATH_FAILED[$n]+=": $(path_probe "$PD_E_URL" "$PD_E_BODY" "${PD_E_HDRS[@]}" >/dev/null; tr -d '\n' <"$WORK/probe.out" | cut -c1-200)"
      log "paths: $n does not work (${PATH_FAILED[$n]}); it will not be measured"
      continue
    fi
    PATH_TOKENS[$n]="$d_tok / $e_tok"
    log "paths: $n answers 200 direct and through the edge (answer tokens direct / edge: ${PATH_TOKENS[$n]})"
  done
}

# Paths: per translation path, the same fixed-rate load as rate (lower rate) on the simulator
# directly (the provider-format request) and then through the edge (the client-format request).
# redact TEXT: TEXT with the bench API key shortened (for the report's commands)
redact() { local t="$1"; [[ -z "${API_KEY:-}" ]] || t="${t//"$API_KEY"/"${API_KEY:0:8}..."}"; printf '%s' "$t"; }
PATHS_QPS="$(qps "$PATHS_RATE" "$PATHS_CONNS")"
# hey_path NAME URL BODY_FILE [HEADER...]: warm-up, then the measured run; output in $WORK/hey-path-NAME.txt
hey_path() {
  local name="$1" url="$2" body="$3" h shown=""
  shift 3
  local args=(-c "$PATHS_CONNS" -q "$PATHS_QPS" -t 10 -m POST -T application/json)
  for h in "$@"; do
    args+=(-H "$h")
    shown+=" -H '$(redact "$h")'"
  done
  args+=(-D "$body" "$url")
  if ((PATHS_WARMUP > 0)); then
    hey -z "${PATHS_WARMUP}s" "${args[@]}" >"$WORK/hey-path-$name-warmup.txt" 2>&1 || true
  fi
  COMMANDS+=("hey -z ${PATHS_DURATION}s -c $PATHS_CONNS -q $PATHS_QPS -t 10 -m POST -T application/json$shown -D $(basename "$body") $url   # $(basename "$body"): $(cat "$body")")
  hey -z "${PATHS_DURATION}s" "${args[@]}" >"$WORK/hey-path-$name.txt" 2>&1 || die "hey failed: $(tail -5 "$WORK/hey-path-$name.txt")"
}
# header_names [HEADER...]: " `name`" for each "name: value" (for the report)
header_names() {
  local h
  # shellcheck disable=SC2016  # backquotes are markdown
  for h in "$@"; do printf ' `%s`' "${h%%:*}"; done
}
# hey_prime NAME URL BODY_FILE [HEADER...]: PATHS_PRIME unmeasured closed-loop requests
hey_prime() {
  local name="$1" url="$2" body="$3" h
  shift 3
  ((PATHS_PRIME > 0)) || return 0
  local args=(-n "$PATHS_PRIME" -c "$((PATHS_PRIME < 8 ? PATHS_PRIME : 8))" -t 10 -m POST -T application/json)
  for h in "$@"; do args+=(-H "$h"); done
  hey "${args[@]}" -D "$body" "$url" >"$WORK/prime-path-$name.txt" 2>&1 || true
}
PATHS_ROWS="" PATHS_REQUESTS="" PATHS_NOTE=""
# paths_run: the prime of every path, then each path direct and through the edge
paths_run() {
  local n load1 t0 t1 pair a50 a99
  local -a measured slow
  local pd_rps pd_p50 pd_p99 pd_err pe_rps pe_p50 pe_p99 pe_n pe_err pe_cpu
  measured=()
  for n in "${PATH_LIST[@]}"; do
    [[ -z "${PATH_FAILED[$n]:-}" ]] && measured+=("$n")
  done
  if ((PATHS_PRIME > 0)) && ((${#measured[@]} > 0)); then
    log "paths: prime, $PATHS_PRIME closed-loop requests to each path's simulator request and edge request (not measured)"
    for n in "${measured[@]}"; do
      path_def "$n"
      printf '%s' "$PD_D_BODY" >"$WORK/body-$n-direct.json"
      printf '%s' "$PD_E_BODY" >"$WORK/body-$n-edge.json"
      hey_prime "$n-direct" "$PD_D_URL" "$WORK/body-$n-direct.json" ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"}
      hey_prime "$n-edge" "$PD_E_URL" "$WORK/body-$n-edge.json" "${PD_E_HDRS[@]}"
    done
    COMMANDS+=("hey -n $PATHS_PRIME -c 8 ... (paths prime: each path's two requests below, not measured)")
  fi
  slow=()
  for n in "${PATH_LIST[@]}"; do
    path_def "$n"
    if [[ -n "${PATH_FAILED[$n]:-}" ]]; then
      PATHS_ROWS+="| $PD_LABEL | - | - | - | - | - | - | failed before the load: ${PATH_FAILED[$n]//|/¦} | | | | |
"
      continue
    fi
    printf '%s' "$PD_D_BODY" >"$WORK/body-$n-direct.json"
    printf '%s' "$PD_E_BODY" >"$WORK/body-$n-edge.json"
    load1="$(cut -d' ' -f1 /proc/loadavg)"
    log "paths/$n: $PD_LABEL; ${PATHS_WARMUP}s warm-up then ${PATHS_DURATION}s at $PATHS_RATE req/s, first straight to the simulator, then through the edge"
    hey_path "$n-direct" "$PD_D_URL" "$WORK/body-$n-direct.json" ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"}
    t0="$(cpu_ticks "$EDGE_PID")"
    hey_path "$n-edge" "$PD_E_URL" "$WORK/body-$n-edge.json" "${PD_E_HDRS[@]}"
    t1="$(cpu_ticks "$EDGE_PID")"
    read -r pd_rps pd_p50 _ pd_p99 _ _ pd_err <<<"$(hey_parse "path-$n-direct")"
    read -r pe_rps pe_p50 _ pe_p99 _ pe_n pe_err <<<"$(hey_parse "path-$n-edge")"
    # hey prints no 99% line (0) when a run has too few requests for it
    [[ "$pd_p99" != 0.00 ]] || pd_p99="-"
    [[ "$pe_p99" != 0.00 ]] || pe_p99="-"
    pe_cpu="$(cpu_per_req "$t0" "$t1" "$(hey_parse_n "path-$n-edge-warmup")" "$pe_n")"
    a50="$(diff_ms "$pe_p50" "$pd_p50")" a99="$(diff_ms "$pe_p99" "$pd_p99")"
    PATHS_ROWS+="| $PD_LABEL | $pd_p50 | $pd_p99 | $pe_p50 | $pe_p99 | **$a50** | **$a99** | $pd_err / $pe_err | $pd_rps / $pe_rps | $pe_cpu | ${PATH_TOKENS[$n]} | $load1 |
"
    PATHS_REQUESTS+="- **$PD_LABEL**: direct \`POST ${PD_D_URL#"$SIM_URL"}\`$(header_names ${PD_D_HDRS[@]+"${PD_D_HDRS[@]}"}) \`$PD_D_BODY\`; edge \`POST ${PD_E_URL#"$EDGE_URL"}\`$(header_names "${PD_E_HDRS[@]}") \`$PD_E_BODY\`
"
    for pair in "direct:$pd_rps" "edge:$pe_rps"; do
      if awk -v a="${pair##*:}" -v r="$PATHS_RATE" 'BEGIN { exit !(a < 0.95 * r) }'; then
        slow+=("$n ${pair%%:*} (${pair##*:} req/s)")
      fi
    done
    log "paths/$n: direct p50 $pd_p50 p99 $pd_p99, edge p50 $pe_p50 p99 $pe_p99: added p50 $a50 ms, p99 $a99 ms; errors $pd_err / $pe_err; edge CPU $pe_cpu µs/req"
  done
  if ((${#slow[@]} > 0)); then
    PATHS_NOTE="**Did not sustain $PATHS_RATE req/s**: $(printf '%s; ' "${slow[@]}" | sed 's/; $//') (each hey worker waits for its answer before its next tick, so those latencies are understated)."
  fi
}

# paths_report: section 5 of the report
paths_report() {
  [[ -n "$PATHS_ROWS" ]] || return 0
  printf '## 5. Added latency per translation path, non-streamed, %s req/s for %s s per run (hey, %s workers × %s req/s; warm-up %s s; prime %s requests per target)\n\n' "$PATHS_RATE" "$PATHS_DURATION" "$PATHS_CONNS" "$PATHS_QPS" "$PATHS_WARMUP" "$PATHS_PRIME"
  printf '| path (client format → provider type) | direct p50 ms | direct p99 ms | edge p50 ms | edge p99 ms | **added p50 ms** | **added p99 ms** | errors direct / edge | achieved req/s direct / edge | edge CPU µs/req | answer tokens direct / edge | load 1-min |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n%s\n' "$PATHS_ROWS"
  printf 'Each row: the simulator straight, with the request in the provider'"'"'s own wire format (what the edge sends it), then the edge, with the client-format request; same prompt, same upstream model, same simulator (:%s), one right after the other. The client-format rows go to the openai provider and compare with the OpenAI request straight to the simulator. The DESIGN targets (added p50 ≤ 0.5 ms, p99 ≤ 2 ms) are stated for 1,000 req/s; these runs are at %s req/s. hey reports latencies to 0.1 ms, and at %s s × %s req/s each p99 rests on the slowest ~%s requests: repeat a run before trusting a difference below a few tenths of a ms. Errors = non-200 responses plus transport errors. Edge CPU µs/req includes the warm-up requests and background work.\n\n' "$SIM_PORT" "$PATHS_RATE" "$PATHS_DURATION" "$PATHS_RATE" "$((PATHS_RATE * PATHS_DURATION / 100))"
  [[ -z "$PATHS_NOTE" ]] || printf '%s\n\n' "$PATHS_NOTE"
  [[ -z "$PATHS_SETUP_NOTE" ]] || printf '%s\n\n' "$PATHS_SETUP_NOTE"
  printf 'Requests (prompt as above; keys elided):\n\n%s\n' "$PATHS_REQUESTS"
}
