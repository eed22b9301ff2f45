#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/../local
# Provisions the realm `llmproxy` on the local Keycloak (started by start-keycloak.sh) with the
# identity module's ProvisionRealmCli (ADR 0012): idempotent, safe to run at every up.sh.
#
#   infra/keycloak/provision-realm.sh             provision (up.sh calls it)
#   infra/keycloak/provision-realm.sh --summary   print the sign-in block of up.sh's summary
#
# Environment (all optional):
#   LLMPROXY_KEYCLOAK_PORT         the local Keycloak's HTTP port (8080)
#   LLMPROXY_UI_PORT               port of the admin console, for the UI client's redirect URIs (3000)
#   LLMPROXY_PLATFORM_ADMIN_USER   the first platform administrator (platform-admin)
#
# Secrets, generated once and kept in infra/local/.state/keycloak/ (mode 0600, never printed):
#   platform-admin-password    the first platform administrator's password (set at creation only)
#   automation-client-secret   the secret of the confidential client llmproxy-automation
#   bootstrap-admin-password   the master realm's `admin` (written by start-keycloak.sh)
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/../local/lib.sh"

KC_PORT="${LLMPROXY_KEYCLOAK_PORT:-8080}"
UI_PORT="${LLMPROXY_UI_PORT:-3000}"
PLATFORM_ADMIN="${LLMPROXY_PLATFORM_ADMIN_USER:-platform-admin}"
PLATFORM_ADMIN="${PLATFORM_ADMIN,,}"
KC_STATE="$LLMPROXY_STATE_DIR/keycloak"
KC_URL="http://localhost:$KC_PORT"
REALM=llmproxy

if [[ "${1:-}" == --summary ]]; then
  cat <<EOF
  Keycloak            $KC_URL      (realm $REALM; log $LLMPROXY_LOG_DIR/keycloak.log)
    sign in:          $KC_URL/realms/$REALM/account
    platform admin:   $PLATFORM_ADMIN   (password in $KC_STATE/platform-admin-password)
    Keycloak console: $KC_URL/admin   (user admin, password in $KC_STATE/bootstrap-admin-password)
    access token (client credentials of llmproxy-automation; aud llmproxy-api, lives 5 min):
      curl -s $KC_URL/realms/$REALM/protocol/openid-connect/token -d grant_type=client_credentials -d client_id=llmproxy-automation -d "client_secret=\$(cat $KC_STATE/automation-client-secret)" | jq -r .access_token
EOF
  exit 0
fi

llmproxy_pick_jdk || exit 1
identity_jar() {
  local jar
  for jar in "$LLMPROXY_ROOT"/identity/target/identity-*.jar; do
    [[ -f "$jar" && "$jar" != *-sources.jar && "$jar" != *-tests.jar ]] && { printf '%s\n' "$jar"; return 0; }
  done
  return 1
}
if ! jar="$(identity_jar)" || [[ ! -d "$LLMPROXY_ROOT/identity/target/lib" ]]; then
  llmproxy_log "identity: building the provisioner (mvn -B -q -DskipTests -pl identity -am package)"
  (cd "$LLMPROXY_ROOT" && llmproxy_mvn -B -q -DskipTests -pl identity -am package) || {
    llmproxy_err "identity: the build failed"
    exit 1
  }
  jar="$(identity_jar)"
fi
llmproxy_log "identity: provisioning realm $REALM on $KC_URL"
"$JAVA_HOME/bin/java" -Xmx128m -XX:TieredStopAtLevel=1 -cp "$jar:$LLMPROXY_ROOT/identity/target/lib/*" \
  io.llmproxy.identity.ProvisionRealmCli \
  --server-url "http://127.0.0.1:$KC_PORT" \
  --admin-password-file "$KC_STATE/bootstrap-admin-password" \
  --state-dir "$KC_STATE" \
  --realm "$REALM" \
  --ui-port "$UI_PORT" \
  --platform-admin-user "$PLATFORM_ADMIN" >&2
