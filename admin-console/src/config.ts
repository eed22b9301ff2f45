/**
 * Run-time settings of the console, read from `config.json` served next to `index.html`, so one
 * build serves any deployment (infra/local/up.sh or a web server writes that file).
 */
export interface ConsoleConfig {
  /** Keycloak's base URL, e.g. `http://localhost:8180` */
  keycloakUrl: string
  /** the realm, `llmproxy` */
  realm: string
  /** the public PKCE client, `llmproxy-admin-ui` */
  clientId: string
  /** command-side's base URL, e.g. `http://localhost:5001` */
  commandApiUrl: string
  /** query-side's base URL, e.g. `http://localhost:5002` */
  queryApiUrl: string
  /** the edge's base URL for the playground (optional, default {@link DEFAULT_EDGE_URL}) */
  edgeUrl?: string
}

/** The edge of `infra/local/up.sh` (`LLMPROXY_EDGE_PORT` 5000). */
export const DEFAULT_EDGE_URL = 'http://localhost:5000'

let loaded: ConsoleConfig | undefined

/** @returns the settings; throws when `config.json` is missing or lacks a field */
export async function loadConfig(): Promise<ConsoleConfig> {
  if (loaded) return loaded
  // next to index.html (the build's base, "/"), not next to the page: a deep link such as
  // /tenants/t1/api-keys, opened directly, must still find it
  const response = await fetch(new URL(`${import.meta.env.BASE_URL}config.json`, window.location.origin), { cache: 'no-store' })
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`)
  const raw = (await response.json()) as Partial<ConsoleConfig>
  for (const key of ['keycloakUrl', 'realm', 'clientId', 'commandApiUrl', 'queryApiUrl'] as const) {
    if (typeof raw[key] !== 'string' || raw[key] === '') throw new Error(`config.json: "${key}" is missing`)
  }
  loaded = raw as ConsoleConfig
  return loaded
}

/** @returns the settings loaded by {@link loadConfig} */
export function config(): ConsoleConfig {
  if (!loaded) throw new Error('config.json is not loaded yet')
  return loaded
}

/** @returns the edge's base URL the playground calls: `config.json` `edgeUrl`, else {@link DEFAULT_EDGE_URL} */
export function edgeUrl(): string {
  const value = config().edgeUrl
  return typeof value === 'string' && value !== '' ? value : DEFAULT_EDGE_URL
}
