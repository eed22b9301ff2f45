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
  /** the edge's base URL for the playground (`http(s)://…`); optional only for a console served from this machine ({@link edgeUrl}) */
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

/** Hosts of a console served from this machine, where the edge of `infra/local/up.sh` is {@link DEFAULT_EDGE_URL}. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The edge's base URL the playground sends pasted API keys to ({@link edgeUrlOf} of this page's
 * `config.json` and origin).
 */
export function edgeUrl(): string | null {
  return edgeUrlOf(config().edgeUrl, window.location.origin)
}

/**
 * @param configured    `config.json` `edgeUrl`: used when it is an `http:` or `https:` URL
 * @param consoleOrigin the console's own origin: without `edgeUrl`, {@link DEFAULT_EDGE_URL} only when
 *                      the console is served from this machine (`localhost`, `127.0.0.1`, `[::1]`)
 * @returns the URL, or null when there is none to trust: a deployed console whose `config.json` lacks
 *          `edgeUrl` (or holds something that is not an http(s) URL) must not send a key to whatever
 *          listens on the visitor's own port 5000
 */
export function edgeUrlOf(configured: unknown, consoleOrigin: string): string | null {
  if (typeof configured === 'string' && configured.trim() !== '') {
    try {
      const url = new URL(configured.trim())
      return url.protocol === 'http:' || url.protocol === 'https:' ? configured.trim() : null
    } catch {
      return null
    }
  }
  let host = ''
  try {
    host = new URL(consoleOrigin).hostname
  } catch {
    // not an origin: no default
  }
  return LOOPBACK_HOSTS.has(host) ? DEFAULT_EDGE_URL : null
}
