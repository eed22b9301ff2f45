#!/usr/bin/env bash
# Identity walkthrough (issue #10), against running services with Keycloak (infra/local/up.sh):
#   the platform administrator signs in (authorization code + PKCE on llmproxy-admin-ui, the way the
#   console does) -> creates a tenant, a route -> adds a tenant admin and a developer (each
#   provisioned into Keycloak) -> each gets a temporary password and signs in for the first time,
#   choosing its own (Keycloak's UPDATE_PASSWORD) -> the developer issues its own key, is refused
#   another user's, calls the edge with its key and with its access token -> the tenant admin adds
#   a finance reader and an auditor -> the finance reader reads the usage, the auditor the audit log,
#   where each action is attributed to the person who did it. Exits non-zero at the first surprise.
#
# Sign-in is Keycloak's real login form, posted with curl (cookies kept per person); no password
# grant. Environment: LLMPROXY_KEYCLOAK_PORT (8080), LLMPROXY_UI_PORT (3000), the usual app ports.
set -euo pipefail
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

KC="http://localhost:${LLMPROXY_KEYCLOAK_PORT:-8080}/realms/llmproxy"
REDIRECT="http://localhost:${LLMPROXY_UI_PORT:-3000}/callback"
CMD="http://127.0.0.1:${LLMPROXY_COMMAND_PORT:-5001}"
QRY="http://127.0.0.1:${LLMPROXY_QUERY_PORT:-5002}"
EDGE="http://127.0.0.1:${LLMPROXY_EDGE_PORT:-5000}"
SIM="http://127.0.0.1:${LLMPROXY_SIMULATOR_PORT:-5100}/v1"
ADMIN_PASSWORD_FILE="$LLMPROXY_STATE_DIR/keycloak/platform-admin-password"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
command -v jq >/dev/null || { llmproxy_err "jq is needed"; exit 1; }
step() { printf '\n== %s\n' "$*"; }
fail() { llmproxy_err "$*"; exit 1; }

# sign_in USER PASSWORD [NEW_PASSWORD] -> access token on stdout. Follows Keycloak's login form (and its
# update-password form on a first sign-in) like a browser, then exchanges the code with the PKCE verifier.
sign_in() {
  local user="$1" password="$2" new="${3:-}" jar="$WORK/$1.jar" verifier challenge page action location code
  verifier="$(head -c 48 /dev/urandom | base64 | tr -d '=+/\n' | cut -c1-64)"
  challenge="$(printf '%s' "$verifier" | openssl dgst -binary -sha256 | base64 | tr '+/' '-_' | tr -d '=\n')"
  page="$(curl -sS -c "$jar" -b "$jar" -G "$KC/protocol/openid-connect/auth" --data-urlencode client_id=llmproxy-admin-ui \
    --data-urlencode response_type=code --data-urlencode scope=openid --data-urlencode "redirect_uri=$REDIRECT" \
    --data-urlencode code_challenge_method=S256 --data-urlencode "code_challenge=$challenge")"
  action="$(grep -o 'action="[^"]*"' <<<"$page" | head -1 | sed 's/^action="//; s/"$//; s/&amp;/\&/g')"
  [[ -n "$action" ]] || fail "no login form for $user"
  curl -sS -c "$jar" -b "$jar" -o "$WORK/page" -D "$WORK/headers" "$action" --data-urlencode "username=$user" \
    --data-urlencode "password=$password" --data-urlencode credentialId=
  location="$(tr -d '\r' <"$WORK/headers" | sed -n 's/^[Ll]ocation: //p' | head -1)"
  if [[ "$location" == *required-action* ]]; then   # Keycloak sends the browser to its update-password page
    curl -sS -c "$jar" -b "$jar" -o "$WORK/page" "$location"
  fi
  if grep -q 'password-new' "$WORK/page" 2>/dev/null; then
    [[ -n "$new" ]] || fail "$user must choose a password but no new one was given"
    action="$(grep -o 'action="[^"]*"' "$WORK/page" | head -1 | sed 's/^action="//; s/"$//; s/&amp;/\&/g')"
    curl -sS -c "$jar" -b "$jar" -o "$WORK/page" -D "$WORK/headers" "$action" --data-urlencode "password-new=$new" \
      --data-urlencode "password-confirm=$new"
  fi
  location="$(tr -d '\r' <"$WORK/headers" | sed -n 's/^[Ll]ocation: //p' | head -1)"
  code="$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$location")"
  [[ -n "$code" ]] || fail "sign-in of $user did not return a code (wrong password?)"
  curl -sS "$KC/protocol/openid-connect/token" -d grant_type=authorization_code -d client_id=llmproxy-admin-ui \
    --data-urlencode "code=$code" --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_verifier=$verifier" \
    | jq -er .access_token
}

# call TOKEN METHOD URL [BODY] -> prints "<status> <body>"
call() {
  local token="$1" method="$2" url="$3" body="${4:-}" args=()
  [[ -n "$body" ]] && args=(-H 'Content-Type: application/json' -d "$body")
  curl -sS -o "$WORK/body" -w '%{http_code}' -X "$method" "$url" -H "Authorization: Bearer $token" "${args[@]}"
  printf ' '; cat "$WORK/body"
}
expect() { # expect STATUS "<status> <body>" what
  [[ "${2%% *}" == "$1" ]] || fail "$3: expected $1, got ${2:0:300}"
  echo "   $3 → $1"
}

step "platform administrator signs in (PKCE)"
[[ -s "$ADMIN_PASSWORD_FILE" ]] || fail "$ADMIN_PASSWORD_FILE is missing: run infra/local/up.sh (with Keycloak)"
ADMIN="$(sign_in platform-admin "$(cat "$ADMIN_PASSWORD_FILE")")"
suffix="$(date +%s)"
r="$(call "$ADMIN" POST "$CMD/admin/v1/tenants" "{\"name\":\"walk-$suffix\"}")"; expect 201 "$r" "create tenant"
TENANT="$(jq -r .tenantId <<<"${r#* }")"
r="$(call "$ADMIN" POST "$CMD/admin/v1/providers" "{\"name\":\"walk-sim\",\"type\":\"openai\",\"baseUrl\":\"$SIM\",\"apiKey\":\"sk-sim\"}")"
expect 201 "$r" "register provider"; PROVIDER="$(jq -r .providerId <<<"${r#* }")"
r="$(call "$ADMIN" PUT "$CMD/admin/v1/tenants/$TENANT/routes/walk-model" "{\"targets\":[{\"providerId\":\"$PROVIDER\",\"model\":\"sim-walk\"}]}")"
expect 204 "$r" "tenant route"

step "tenant admin and developer are added, and provisioned into Keycloak"
add_user() { # add_user EMAIL ROLE -> user id
  local r; r="$(call "$ADMIN" POST "$CMD/admin/v1/tenants/$TENANT/users" "{\"email\":\"$1\",\"role\":\"$2\"}")"
  expect 201 "$r" "add $2 $1" >&2; jq -r .userId <<<"${r#* }"
}
TA_EMAIL="ta-$suffix@walk.example"; DEV_EMAIL="dev-$suffix@walk.example"
TA_ID="$(add_user "$TA_EMAIL" TenantAdmin)"; DEV_ID="$(add_user "$DEV_EMAIL" Developer)"
first_password() { # first_password TOKEN USER_ID -> temporary password, once the user is provisioned
  local r
  for _ in $(seq 1 60); do
    r="$(call "$1" POST "$CMD/admin/v1/tenants/$TENANT/users/$2/temporary-password")"
    [[ "${r%% *}" == 200 ]] && { jq -r .temporaryPassword <<<"${r#* }"; return; }
    sleep 0.5
  done
  fail "no temporary password for $2: ${r:0:300}"
}
TA_TMP="$(first_password "$ADMIN" "$TA_ID")"
TA="$(sign_in "$TA_EMAIL" "$TA_TMP" "Ta-$suffix-pass!")"; echo "   tenant admin signed in, chose a password"
DEV_TMP="$(first_password "$TA" "$DEV_ID")"; echo "   the tenant admin (not the platform) gave the developer its first password"
DEV="$(sign_in "$DEV_EMAIL" "$DEV_TMP" "Dev-$suffix-pass!")"; echo "   developer signed in, chose a password"

step "each does only what its role allows"
expect 403 "$(call "$TA" POST "$CMD/admin/v1/tenants" '{"name":"nope"}')" "tenant admin creates a tenant"
expect 403 "$(call "$DEV" POST "$CMD/admin/v1/tenants/$TENANT/users" '{"email":"x@walk.example","role":"Developer"}')" "developer adds a user"
r="$(call "$DEV" POST "$CMD/admin/v1/tenants/$TENANT/users/$DEV_ID/api-keys" '{"name":"mine"}')"; expect 201 "$r" "developer issues its own key"
DEV_KEY="$(jq -r .key <<<"${r#* }")"
expect 403 "$(call "$DEV" POST "$CMD/admin/v1/tenants/$TENANT/users/$TA_ID/api-keys" '{"name":"theirs"}')" "developer issues a key for the tenant admin"
r="$(call "$TA" POST "$CMD/admin/v1/tenants/$TENANT/role-assignments" "{\"principal\":\"fin-$suffix@walk.example\",\"role\":\"FinanceReader\"}")"
expect 201 "$r" "tenant admin assigns FinanceReader"
r="$(call "$TA" POST "$CMD/admin/v1/tenants/$TENANT/role-assignments" "{\"principal\":\"aud-$suffix@walk.example\",\"role\":\"Auditor\"}")"
expect 201 "$r" "tenant admin assigns Auditor"

step "the developer calls the edge with its key and with its own access token"
chat='{"model":"walk-model","messages":[{"role":"user","content":"hello from the walkthrough"}]}'
for _ in $(seq 1 40); do r="$(call "$DEV_KEY" POST "$EDGE/v1/chat/completions" "$chat")"; [[ "${r%% *}" == 200 ]] && break; sleep 0.25; done
expect 200 "$r" "edge with the developer's API key"
expect 200 "$(call "$DEV" POST "$EDGE/v1/chat/completions" "$chat")" "edge with the developer's access token"

step "a finance reader and an auditor (tenant users of role Reader = FinanceReader + Auditor, ADR 0013) read what they may"
FIN_EMAIL="fin-$suffix@walk.example"; AUD_EMAIL="aud-$suffix@walk.example"
r="$(call "$TA" POST "$CMD/admin/v1/tenants/$TENANT/users" "{\"email\":\"$FIN_EMAIL\",\"role\":\"Reader\"}")"; expect 201 "$r" "add finance reader's account"
FIN_ID="$(jq -r .userId <<<"${r#* }")"
r="$(call "$TA" POST "$CMD/admin/v1/tenants/$TENANT/users" "{\"email\":\"$AUD_EMAIL\",\"role\":\"Reader\"}")"; expect 201 "$r" "add auditor's account"
AUD_ID="$(jq -r .userId <<<"${r#* }")"
FIN="$(sign_in "$FIN_EMAIL" "$(first_password "$TA" "$FIN_ID")" "Fin-$suffix-pass!")"
AUD="$(sign_in "$AUD_EMAIL" "$(first_password "$TA" "$AUD_ID")" "Aud-$suffix-pass!")"
from="$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"; to="$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
for _ in $(seq 1 40); do
  r="$(call "$FIN" GET "$QRY/finance/v1/usage?tenantId=$TENANT&from=$from&to=$to&groupBy=model")"
  [[ "${r%% *}" == 200 && "$(jq '[.items[].requests] | add // 0' <<<"${r#* }")" -ge 2 ]] && break; sleep 0.5
done
expect 200 "$r" "finance reader reads the usage"; echo "   ${r#* }" | cut -c1-300
expect 403 "$(call "$DEV" GET "$QRY/audit/v1/events?tenantId=$TENANT")" "developer reads the audit log"
expect 403 "$(call "$DEV" GET "$QRY/finance/v1/usage?tenantId=$TENANT&from=$from&to=$to")" "developer reads the whole tenant's usage"
expect 200 "$(call "$DEV" GET "$QRY/finance/v1/usage?tenantId=$TENANT&userId=$DEV_ID&from=$from&to=$to")" "developer reads its own usage"
r="$(call "$AUD" GET "$QRY/audit/v1/events?tenantId=$TENANT&limit=100")"; expect 200 "$r" "auditor reads the audit log"
jq -r '.items[] | "   \(.eventType) by \(.actor)"' <<<"${r#* }" | head -20
actors="$(jq -r '.items[].actor' <<<"${r#* }" | sort -u | tr '\n' ' ')"
[[ "$actors" == *"user:platform-admin"* && "$actors" == *"user:$TA_EMAIL"* && "$actors" == *"user:$DEV_EMAIL"* ]] \
  || fail "the audit log does not name the people who acted: $actors"
token_calls="$(jq -r '[.items[] | select(.eventType == "UsageRecorded" and (.actor // "" | startswith("user:")))] | length' <<<"${r#* }")"
[[ "$token_calls" -ge 1 ]] || fail "the developer's call with its access token is not attributed to it in the audit log"
echo "   the call made with the developer's access token is attributed to user:<its subject>"
expect 403 "$(call "$AUD" GET "$QRY/audit/v1/events?tenantId=not-$TENANT")" "auditor reads another tenant's audit log"
printf '\nwalkthrough passed: tenant %s\n' "$TENANT"
