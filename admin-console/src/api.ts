import { accessToken } from './auth'
import { config } from './config'

/** An API's refusal: its problem JSON (`title`, `detail`, `code`) and HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly code: string | undefined,
  ) {
    super(detail || title || `HTTP ${status}`)
  }
}

type Side = 'command' | 'query'

async function call<T>(side: Side, method: string, path: string, body?: unknown): Promise<T> {
  const base = side === 'command' ? config().commandApiUrl : config().queryApiUrl
  const headers: Record<string, string> = { Authorization: `Bearer ${accessToken()}`, Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(base.replace(/\/$/, '') + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  const json = text ? JSON.parse(text) : undefined
  if (!response.ok) {
    throw new ApiError(response.status, json?.title ?? response.statusText, json?.detail, json?.code)
  }
  return json as T
}

const enc = encodeURIComponent

/** Keeps calling `read` until `done` holds of its answer: at most `attempts` times, `delayMs` apart. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 12, delayMs = 150): Promise<T> {
  let value = await read()
  for (let i = 1; i < attempts && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    value = await read()
  }
  return value
}

// Read models lag commands by up to ~0.5 s (projections from the event store). Until the API
// offers read-your-writes (issue #13, a consistency token), every list shown after a command is
// re-read with a bounded retry (12 × 150 ms) until it shows the command's effect.
export { until as readUntil }

export interface Me {
  principal: string
  platformAdmin: boolean
  roles: { role: string; scope: string; tenantId: string | null; tenantName: string | null; userId: string | null }[]
}

export interface Tenant {
  tenantId: string
  name: string
  status: 'ACTIVE' | 'SUSPENDED'
  createdAt: string
}

export interface ApiKey {
  apiKeyId: string
  tenantId: string
  name: string
  displayPrefix: string
  status: string
  createdAt: string
  revokedAt: string | null
  ownerUserId: string | null
  expiresAt: string | null
}

export const api = {
  me: () => call<Me>('query', 'GET', '/admin/v1/me'),
  tenants: () => call<{ items: Tenant[] }>('query', 'GET', '/admin/v1/tenants?size=200&sort=createdAt,desc').then((r) => r.items),
  tenant: (tenantId: string) => call<Tenant>('query', 'GET', `/admin/v1/tenants/${enc(tenantId)}`),
  createTenant: (name: string) => call<{ tenantId: string }>('command', 'POST', '/admin/v1/tenants', { name }),
  suspendTenant: (tenantId: string) => call<void>('command', 'POST', `/admin/v1/tenants/${enc(tenantId)}/suspend`),
  reactivateTenant: (tenantId: string) => call<void>('command', 'POST', `/admin/v1/tenants/${enc(tenantId)}/reactivate`),
  apiKeys: (tenantId: string, ownerUserId?: string) =>
    call<{ items: ApiKey[] }>('query', 'GET', `/admin/v1/tenants/${enc(tenantId)}/api-keys`
      + (ownerUserId ? `?ownerUserId=${enc(ownerUserId)}` : '')).then((r) => r.items),
  /** issues a key (for `ownerUserId` through the user's own endpoint, which a Developer may call) */
  issueApiKey: (tenantId: string, name: string, ownerUserId?: string) =>
    call<{ apiKeyId: string; key: string }>('command', 'POST', ownerUserId
      ? `/admin/v1/tenants/${enc(tenantId)}/users/${enc(ownerUserId)}/api-keys`
      : `/admin/v1/tenants/${enc(tenantId)}/api-keys`, { name }),
  revokeApiKey: (tenantId: string, apiKeyId: string) =>
    call<void>('command', 'DELETE', `/admin/v1/tenants/${enc(tenantId)}/api-keys/${enc(apiKeyId)}`),
}
