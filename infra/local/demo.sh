#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Walks the whole path against running services (start them with infra/local/up.sh):
#   create a tenant -> register a provider pointing at the upstream simulator -> route the model
#   gpt-4o-mini to it -> issue an API key -> chat completion through proxy-edge -> usage query
#   on query-side (polled until the call shows up).  Prints every request and response; exits
#   non-zero at the first failing step.
#
# Environment (all optional): LLMPROXY_ADMIN_TOKEN (default: infra/local/.state/admin-token),
#   LLMPROXY_COMMAND_PORT (5001), LLMPROXY_QUERY_PORT (5002), LLMPROXY_EDGE_PORT (5000),
#   LLMPROXY_SIMULATOR_PORT (5100), DEMO_TENANT_NAME (acme), DEMO_PROVIDER_NAME (sim),
#   DEMO_USAGE_WAIT seconds to wait for usage to show up (30).
# Names need not be unique today (a second run creates another "acme"); should the admin API
# ever answer 409 for a taken name, a suffixed name is used instead.
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

COMMAND_URL="http://127.0.0.1:${LLMPROXY_COMMAND_PORT:-5001}"
QUERY_URL="http://127.0.0.1:${LLMPROXY_QUERY_PORT:-5002}"
EDGE_URL="http://127.0.0.1:${LLMPROXY_EDGE_PORT:-5000}"
SIM_URL="http://127.0.0.1:${LLMPROXY_SIMULATOR_PORT:-5100}"
TENANT_NAME="${DEMO_TENANT_NAME:-acme}"
PROVIDER_NAME="${DEMO_PROVIDER_NAME:-sim}"
USAGE_WAIT="${DEMO_USAGE_WAIT:-30}"
MODEL_ALIAS="gpt-4o-mini"
UPSTREAM_MODEL="sim-gpt-4o-mini"

die() {
  llmproxy_err "$*"
  exit 1
}

if [[ -z "${LLMPROXY_ADMIN_TOKEN:-}" ]]; then
  token_file="$LLMPROXY_STATE_DIR/admin-token"
  [[ -s "$token_file" ]] || die "LLMPROXY_ADMIN_TOKEN is not set and $token_file does not exist (run infra/local/up.sh first)"
  LLMPROXY_ADMIN_TOKEN="$(tr -d '[:space:]' <"$token_file")"
fi
command -v curl >/dev/null 2>&1 || die "curl is needed"

# json_get FIELD: prints the top-level string/number FIELD of the JSON document on stdin.
json_get() {
  local field="$1"
  if command -v jq >/dev/null 2>&1; then
    jq -r --arg f "$field" '.[$f] // empty'
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys
v = json.load(sys.stdin).get(sys.argv[1])
print("" if v is None else v)' "$field"
  else
    tr -d '\n' | sed -n "s/.*\"$field\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
  fi
}

RESP_FILE="$(mktemp)"
trap 'rm -f "$RESP_FILE"' EXIT
RESP_CODE=""
RESP_BODY=""

# call METHOD URL BEARER [JSON_BODY]: prints the exchange; sets RESP_CODE and RESP_BODY.
call() {
  local method="$1" url="$2" bearer="$3" body="${4:-}"
  local args=(-sS -o "$RESP_FILE" -w '%{http_code}' -X "$method" "$url"
    -H "Authorization: Bearer $bearer" -H 'Accept: application/json')
  if [[ -n "$body" ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$body")
  fi
  printf '\n==> %s %s\n' "$method" "$url"
  if [[ -n "$body" ]]; then
    printf '    %s\n' "$body"
  fi
  RESP_CODE="$(curl "${args[@]}" || true)"
  RESP_BODY="$(cat "$RESP_FILE" 2>/dev/null || true)"
  printf '<== HTTP %s\n%s\n' "${RESP_CODE:-000}" "$RESP_BODY"
}

expect_2xx() {
  [[ "$RESP_CODE" == 2?? ]] || die "$1 failed (HTTP ${RESP_CODE:-000})"
}

# Services up?
# (under up.sh --prometheus the edge serves its actuator on its management port, LLMPROXY_EDGE_MANAGEMENT_PORT)
for url in "$COMMAND_URL" "$QUERY_URL" "$EDGE_URL" "$SIM_URL"; do
  curl -fsS --max-time 3 -o /dev/null "$url/actuator/health" \
    || { [[ "$url" == "$EDGE_URL" ]] && curl -fsS --max-time 3 -o /dev/null \
           "http://127.0.0.1:${LLMPROXY_EDGE_MANAGEMENT_PORT:-5090}/actuator/health"; } \
    || die "$url/actuator/health does not answer: start the services with infra/local/up.sh"
done

# 1. tenant
call POST "$COMMAND_URL/admin/v1/tenants" "$LLMPROXY_ADMIN_TOKEN" "{\"name\":\"$TENANT_NAME\"}"
if [[ "$RESP_CODE" == 409 ]]; then
  TENANT_NAME="$TENANT_NAME-$(date +%s)"
  llmproxy_log "tenant name taken; retrying as $TENANT_NAME"
  call POST "$COMMAND_URL/admin/v1/tenants" "$LLMPROXY_ADMIN_TOKEN" "{\"name\":\"$TENANT_NAME\"}"
fi
expect_2xx "create tenant"
TENANT_ID="$(json_get tenantId <<<"$RESP_BODY")"
[[ -n "$TENANT_ID" ]] || die "no tenantId in the response"

# 2. provider pointing at the simulator
provider_json() {
  printf '{"name":"%s","type":"openai","baseUrl":"%s/v1","apiKey":"sk-sim"}' "$1" "$SIM_URL"
}
call POST "$COMMAND_URL/admin/v1/providers" "$LLMPROXY_ADMIN_TOKEN" "$(provider_json "$PROVIDER_NAME")"
if [[ "$RESP_CODE" == 409 ]]; then
  PROVIDER_NAME="$PROVIDER_NAME-$(date +%s)"
  llmproxy_log "provider name taken; retrying as $PROVIDER_NAME"
  call POST "$COMMAND_URL/admin/v1/providers" "$LLMPROXY_ADMIN_TOKEN" "$(provider_json "$PROVIDER_NAME")"
fi
expect_2xx "register provider"
PROVIDER_ID="$(json_get providerId <<<"$RESP_BODY")"
[[ -n "$PROVIDER_ID" ]] || die "no providerId in the response"

# 3. route
call PUT "$COMMAND_URL/admin/v1/routes/$MODEL_ALIAS" "$LLMPROXY_ADMIN_TOKEN" \
  "{\"targets\":[{\"providerId\":\"$PROVIDER_ID\",\"model\":\"$UPSTREAM_MODEL\"}]}"
expect_2xx "route $MODEL_ALIAS"

# 4. API key
call POST "$COMMAND_URL/admin/v1/tenants/$TENANT_ID/api-keys" "$LLMPROXY_ADMIN_TOKEN" '{"name":"dev"}'
expect_2xx "issue API key"
API_KEY_ID="$(json_get apiKeyId <<<"$RESP_BODY")"
API_KEY="$(json_get key <<<"$RESP_BODY")"
[[ -n "$API_KEY" ]] || die "no key in the response"

# 5. chat completion through the edge (the projections behind it are eventually consistent:
#    retry briefly while the new key/route is not yet known there)
from="$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)"
chat_body="{\"model\":\"$MODEL_ALIAS\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello from demo.sh\"}]}"
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  call POST "$EDGE_URL/v1/chat/completions" "$API_KEY" "$chat_body"
  [[ "$RESP_CODE" == 2?? ]] && break
  [[ "$RESP_CODE" == 401 || "$RESP_CODE" == 403 || "$RESP_CODE" == 404 ]] || break
  if ((attempt < 10)); then
    llmproxy_log "not accepted yet (HTTP $RESP_CODE); retrying in 1 s"
    sleep 1
  fi
done
expect_2xx "chat completion"
grep -q '"choices"' <<<"$RESP_BODY" || die "the chat completion response has no choices"

# 6. usage (arrives through Kafka: poll)
to="$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)"
usage_url="$QUERY_URL/finance/v1/usage?tenantId=$TENANT_ID&from=$from&to=$to&groupBy=model"
deadline=$((SECONDS + USAGE_WAIT))
while :; do
  call GET "$usage_url" "$LLMPROXY_ADMIN_TOKEN"
  if [[ "$RESP_CODE" == 2?? && "$RESP_BODY" == *"$MODEL_ALIAS"* ]]; then
    break
  fi
  ((SECONDS < deadline)) || die "usage for $MODEL_ALIAS did not show up within ${USAGE_WAIT}s"
  sleep 2
done

printf '\nOK: tenant %s (%s), provider %s (%s), API key %s, chat call and usage all worked.\n' \
  "$TENANT_ID" "$TENANT_NAME" "$PROVIDER_ID" "$PROVIDER_NAME" "${API_KEY_ID:-?}"
printf 'To revoke this key with the README'"'"'s DELETE, first set in your shell:\n'
printf '  export LLMPROXY_ADMIN_TOKEN="$(cat infra/local/.state/admin-token)"   # unless you set your own\n'
printf '  export TENANT_ID=%s API_KEY_ID=%s\n' "$TENANT_ID" "${API_KEY_ID:-?}"
printf '  A="Authorization: Bearer $LLMPROXY_ADMIN_TOKEN"; J='"'"'Content-Type: application/json'"'"'   # the README'"'"'s curl examples send -H "$A" -H "$J"\n'
