#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds the admin console (admin-console/: npm ci && npm run build, with the machine's Node and npm)
# and serves its static build (dist/) with `vite preview --strictPort` on
# http://localhost:${LLMPROXY_UI_PORT:-3000}. Called by up.sh; down.sh stops it (service admin-console).
# dist/config.json is written for this stack: Keycloak's URL and realm, command-side's, query-side's and the
# edge's URLs (the edge's for the playground; its CORS lets the console's origin in).
#
#   LLMPROXY_UI_PORT        the console's port (3000)
#   LLMPROXY_EDGE_PORT      the edge's port, for the playground (5000)
#   LLMPROXY_UI_SKIP_BUILD=1  serve the dist/ already built
#   LLMPROXY_UI=skip        do not start the console at all
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

ui_port="${LLMPROXY_UI_PORT:-3000}"
console_dir="$LLMPROXY_ROOT/admin-console"
log="$LLMPROXY_LOG_DIR/admin-console.log"

if pid="$(llmproxy_service_pid admin-console)"; then
  llmproxy_log "admin-console: already running (pid $pid) on port $ui_port"
  exit 0
fi
command -v npm >/dev/null || { llmproxy_err "admin-console: npm is not installed (Node 20+ and npm are needed); set LLMPROXY_UI=skip to start without it"; exit 1; }
if llmproxy_port_open 127.0.0.1 "$ui_port"; then
  llmproxy_err "admin-console: port $ui_port is already in use; set LLMPROXY_UI_PORT"
  exit 1
fi
if [[ "${LLMPROXY_UI_SKIP_BUILD:-0}" != 1 || ! -f "$console_dir/dist/index.html" ]]; then
  llmproxy_log "admin-console: npm ci && npm run build (log $log)"
  (cd "$console_dir" && npm ci --no-audit --no-fund && npm run build) >"$log" 2>&1 \
    || { llmproxy_err "admin-console: the build failed; see $log"; exit 1; }
fi
# the runtime configuration the static build reads at start (any web server serves it with dist/)
cat >"$console_dir/dist/config.json" <<JSON
{
  "keycloakUrl": "http://localhost:${LLMPROXY_KEYCLOAK_PORT:-8080}",
  "realm": "${LLMPROXY_IDENTITY_KEYCLOAK_REALM:-llmproxy}",
  "clientId": "llmproxy-admin-ui",
  "commandApiUrl": "http://localhost:${LLMPROXY_COMMAND_PORT:-5001}",
  "queryApiUrl": "http://localhost:${LLMPROXY_QUERY_PORT:-5002}",
  "edgeUrl": "http://localhost:${LLMPROXY_EDGE_PORT:-5000}"
}
JSON
# node runs vite directly (not through npx, whose child would outlive a kill); argv[0] carries the
# marker down.sh looks for; SIGHUP of the terminal is ignored
(
  cd "$console_dir"
  trap '' HUP
  exec -a "node $(llmproxy_service_marker admin-console)" node node_modules/vite/bin/vite.js preview \
    --host 127.0.0.1 --port "$ui_port" --strictPort </dev/null >>"$log" 2>&1
) &
printf '%s\n' "$!" >"$(llmproxy_pid_file admin-console)"
for _ in $(seq 1 60); do
  llmproxy_port_open 127.0.0.1 "$ui_port" && break
  sleep 0.5
done
if ! llmproxy_port_open 127.0.0.1 "$ui_port"; then
  llmproxy_err "admin-console: vite preview did not open port $ui_port; see $log"
  exit 1
fi
llmproxy_log "admin-console: UP at http://localhost:$ui_port (pid $(cat "$(llmproxy_pid_file admin-console)"))"
