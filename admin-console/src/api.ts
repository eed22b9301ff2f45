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

/** The answer header carrying the event store's position after a command (ADR 0020). */
export const EVENT_POSITION = 'LLMProxy-Event-Position'
/** The read header asking the query side to answer only once its read models have passed a position (ADR 0020). */
export const MIN_POSITION = 'LLMProxy-Min-Position'

// the highest LLMProxy-Event-Position this console's commands were answered with (decimal, up to 18 digits)
let lastPosition: bigint | null = null

/** @returns the position every following read waits for (null before the first command) */
export function lastEventPosition(): string | null {
  return lastPosition === null ? null : lastPosition.toString()
}

/** Forgets the last command's position (sign-out, tests). */
export function resetEventPosition(): void {
  lastPosition = null
}

function notePosition(response: Response): void {
  const value = response.headers.get(EVENT_POSITION)
  if (!value || !/^\d{1,18}$/.test(value)) return
  const position = BigInt(value)
  if (lastPosition === null || position > lastPosition) lastPosition = position
}

/**
 * Calls one side of the admin API with the user's token. Read your own writes (ADR 0020): a command's
 * answer carries `LLMProxy-Event-Position`; every query-side read after it sends that position as
 * `LLMProxy-Min-Position`, so the query side answers only once its read models show the command
 * (bounded wait there; past it, 503 `consistency_timeout` with `Retry-After`: the read is repeated up to
 * {@link CONSISTENCY_RETRIES} times, then shown like any refusal).
 *
 * @throws ApiError with the problem JSON's title, detail and code for a non-2xx answer
 */
/** How often a query-side read answered 503 `consistency_timeout` is repeated before it is shown. */
export const CONSISTENCY_RETRIES = 3

async function call<T>(side: Side, method: string, path: string, body?: unknown): Promise<T> {
  const base = side === 'command' ? config().commandApiUrl : config().queryApiUrl
  const headers: Record<string, string> = { Authorization: `Bearer ${accessToken()}`, Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (side === 'query' && lastPosition !== null) headers[MIN_POSITION] = lastPosition.toString()
  const send = () => fetch(base.replace(/\/$/, '') + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  let response = await send()
  if (side === 'command' && response.ok) notePosition(response)
  let text = await response.text()
  let json = text ? JSON.parse(text) : undefined
  // the read models had not reached the position within the query side's bound (a busy moment):
  // the read is repeated after Retry-After (1 s), at most CONSISTENCY_RETRIES times, then shown
  for (let i = 0; i < CONSISTENCY_RETRIES && side === 'query' && response.status === 503 && json?.code === 'consistency_timeout'; i++) {
    const seconds = Number(response.headers.get('Retry-After'))
    await new Promise((resolve) => setTimeout(resolve, 1000 * (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 5) : 1)))
    response = await send()
    text = await response.text()
    json = text ? JSON.parse(text) : undefined
  }
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

// Reads after a command carry LLMProxy-Min-Position (see call), so the first read already shows the
// command's effect; `readUntil` stays for the views that still pass a check, which then holds at once.
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
  /** the content-capture opt-in, on GET /admin/v1/tenants/{id} only (absent in the tenants list) */
  contentCapture?: boolean
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
  allowedModels?: string[] | null
  rotatedAt?: string | null
  previousKeyValidUntil?: string | null
}

/** Options of a new key: its owner (admins), the models it may call (none = all) and when it expires (ISO instant). */
export interface KeyOptions {
  ownerUserId?: string
  allowedModels?: string[]
  expiresAt?: string
}

/** A page of a list endpoint (`ListPaging`): items plus the paging figures. */
export interface Paged<T> {
  items: T[]
  page: { number: number; size: number; totalElements: number; totalPages: number }
  sort?: string
}

/** A page of one tenant's list (its users or API keys): also names the tenant. */
export type TenantPaged<T> = Paged<T> & { tenantId: string }

/**
 * What a paged list is asked for (ADR 0021): `page` 0-based, `size` 1..200 (the server's default 50),
 * `sort` `<field>` or `<field>,asc|desc` (fields per list), `q` a case-insensitive substring, `status`.
 */
export interface ListQuery {
  page?: number
  size?: number
  sort?: string
  q?: string
  status?: string
}

/** The API keys list also filters by owner (how a Developer lists its own keys). */
export interface KeyQuery extends ListQuery {
  ownerUserId?: string
}

/** The largest page a list answers (ListPaging.MAX_SIZE). */
export const MAX_PAGE_SIZE = 200
/** How many pages of 200 `everyPage` reads at most: 5,000 rows. */
export const MAX_PAGES = 25

/** @returns `?a=1&b=x` of the given parameters, skipping undefined, null and empty ones ('' when none) */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

/** Reads a list page after page (pages of 200) until its last page or `maxPages`: for pickers and the quota table. */
export async function everyPage<T>(read: (page: number) => Promise<Paged<T>>, maxPages = MAX_PAGES): Promise<T[]> {
  const first = await read(0)
  const items = [...first.items]
  for (let page = 1; page < Math.min(first.page.totalPages, maxPages); page++) {
    items.push(...(await read(page)).items)
  }
  return items
}

/** A provider connection; its credentials are never returned. */
export interface Provider {
  providerId: string
  name: string
  type: string
  baseUrl: string
  createdAt: string
}

/** A route target: a provider model with a weight (`weighted`) or a priority (`priority`, lower first). */
export interface RouteTarget {
  providerId: string
  model: string
  weight?: number | null
  priority?: number | null
}

/** The timeouts of a route, in ms (README "Routing"). */
export interface RouteTimeouts {
  connectMs?: number | null
  ttfbMs?: number | null
  idleMs?: number | null
  totalMs?: number | null
}

/** The body of PUT .../routes/{model}. */
export interface RouteDefinition {
  targets: RouteTarget[]
  strategy?: string
  fallbacks?: string[]
  retry?: { attempts?: number | null; backoffMs?: number | null } | null
  timeouts?: RouteTimeouts | null
}

export interface Route {
  routeId: string
  model: string
  tenantId: string | null
  targets: RouteTarget[]
  policy: { strategy?: string; fallbacks?: string[]; retry?: RouteDefinition['retry']; timeouts?: RouteTimeouts } | null
  updatedAt: string
}

/** One price of the schedule: USD per million tokens, as decimal strings (never floats). */
export interface Price {
  providerId: string
  model: string
  inputPerMillionUsd: string
  outputPerMillionUsd: string
  cachedInputPerMillionUsd: string | null
  effectiveFrom: string
  setAt: string
}

export interface NewPrice {
  providerId: string
  model: string
  inputPerMillionUsd: string
  outputPerMillionUsd: string
  cachedInputPerMillionUsd?: string
  effectiveFrom?: string
}

/** A user of a tenant (`role` TenantAdmin, Developer, FinanceReader, Auditor…); `removedAt` set once removed. */
export interface TenantUser {
  userId: string
  email: string
  role: string
  createdAt: string
  removedAt: string | null
  identity: { state: string; attempts?: number; lastError?: string | null }
}

/** Quota limits (null or absent = no limit at this level): counts, tokens, and USD as a decimal string. */
export interface QuotaLimits {
  requestsPerMinute?: number | null
  requestsPerDay?: number | null
  tokensPerMinute?: number | null
  tokensPerDay?: number | null
  tokensPerMonth?: number | null
  maxConcurrentRequests?: number | null
  monthlySpendLimitUsd?: string | null
  whenQuotaStoreDown?: string | null
}

export interface QuotaPolicy {
  scope: 'TENANT' | 'USER' | 'API_KEY'
  subjectId: string
  limits: QuotaLimits
  updatedAt: string
}

/** One group of GET /finance/v1/usage: tokens are counts, `costMicros` USD micros of the priced calls. */
export interface UsageItem {
  tenantId?: string | null
  userId?: string | null
  apiKeyId?: string | null
  requests: number
  totalTokens: number
  costMicros: number
  unpricedRequests: number
}

export const api = {
  me: () => call<Me>('query', 'GET', '/admin/v1/me'),
  tenants: () => call<{ items: Tenant[] }>('query', 'GET', '/admin/v1/tenants?size=200&sort=createdAt,desc').then((r) => r.items),
  tenant: (tenantId: string) => call<Tenant>('query', 'GET', `/admin/v1/tenants/${enc(tenantId)}`),
  createTenant: (name: string) => call<{ tenantId: string }>('command', 'POST', '/admin/v1/tenants', { name }),
  suspendTenant: (tenantId: string) => call<void>('command', 'POST', `/admin/v1/tenants/${enc(tenantId)}/suspend`),
  reactivateTenant: (tenantId: string) => call<void>('command', 'POST', `/admin/v1/tenants/${enc(tenantId)}/reactivate`),
  /** one page of the tenant's keys (`sort`: createdAt, name, expiresAt, apiKeyId; `status`: ACTIVE, REVOKED, EXPIRED) */
  apiKeyPage: (tenantId: string, query: KeyQuery = {}): Promise<TenantPaged<ApiKey>> =>
    call<TenantPaged<ApiKey>>('query', 'GET', `/admin/v1/tenants/${enc(tenantId)}/api-keys` + queryString({
      ownerUserId: query.ownerUserId, q: query.q, status: query.status, page: query.page, size: query.size, sort: query.sort })),
  /** every key of the tenant (or of one owner) matching `query`, page after page of 200 (at most MAX_PAGES) */
  apiKeys: (tenantId: string, ownerUserId?: string, query: ListQuery = {}): Promise<ApiKey[]> =>
    everyPage((page) => api.apiKeyPage(tenantId, { ...query, ownerUserId, page, size: MAX_PAGE_SIZE })),
  /** issues a key (for `ownerUserId` through the user's own endpoint, which a Developer may call) */
  issueApiKey: (tenantId: string, name: string, ownerUserId?: string, options: KeyOptions = {}) =>
    call<{ apiKeyId: string; key: string }>('command', 'POST', ownerUserId
      ? `/admin/v1/tenants/${enc(tenantId)}/users/${enc(ownerUserId)}/api-keys`
      : `/admin/v1/tenants/${enc(tenantId)}/api-keys`, { name, ...options }),
  renameTenant: (tenantId: string, name: string) =>
    call<void>('command', 'PUT', `/admin/v1/tenants/${enc(tenantId)}`, { name }),
  providers: () => call<Paged<Provider>>('query', 'GET', '/admin/v1/providers?size=200&sort=name').then((r) => r.items),
  /** registers a provider; `apiKey` is write-only: sent once, encrypted by command-side, never returned */
  registerProvider: (p: { name: string; type: string; baseUrl: string; apiKey?: string }) =>
    call<{ providerId: string }>('command', 'POST', '/admin/v1/providers', p),
  /** the global routes (`tenantId` null) or one tenant's own */
  routes: (tenantId?: string) => call<Paged<Route>>('query', 'GET', (tenantId
    ? `/admin/v1/tenants/${enc(tenantId)}/routes` : '/admin/v1/routes') + '?size=200&sort=model').then((r) => r.items),
  /** defines (creates or replaces) a route; model names may hold `/`, sent as path segments */
  putRoute: (model: string, definition: RouteDefinition, tenantId?: string) =>
    call<void>('command', 'PUT', (tenantId ? `/admin/v1/tenants/${enc(tenantId)}/routes/` : '/admin/v1/routes/')
      + model.split('/').map(enc).join('/'), definition),
  prices: () => call<{ items: Price[] }>('query', 'GET', '/admin/v1/prices').then((r) => r.items),
  /** adds a price from `effectiveFrom` (ISO instant, default now; must follow the model's latest) */
  setPrice: (p: NewPrice) => call<{ priceListId: string }>('command', 'POST', '/admin/v1/prices', p),
  /** one page of the tenant's users (`sort`: createdAt, email, role, userId; `status`: ACTIVE, REMOVED; `q`: e-mail) */
  userPage: (tenantId: string, query: ListQuery = {}): Promise<TenantPaged<TenantUser>> =>
    call<TenantPaged<TenantUser>>('query', 'GET', `/admin/v1/tenants/${enc(tenantId)}/users` + queryString({
      q: query.q, status: query.status, page: query.page, size: query.size, sort: query.sort })),
  /** every user of the tenant matching `query`, page after page of 200 (at most MAX_PAGES) */
  users: (tenantId: string, query: ListQuery = {}): Promise<TenantUser[]> =>
    everyPage((page) => api.userPage(tenantId, { ...query, page, size: MAX_PAGE_SIZE })),
  addUser: (tenantId: string, email: string, role: string) =>
    call<{ userId: string }>('command', 'POST', `/admin/v1/tenants/${enc(tenantId)}/users`, { email, role }),
  setUserRole: (tenantId: string, userId: string, role: string) =>
    call<void>('command', 'PUT', `/admin/v1/tenants/${enc(tenantId)}/users/${enc(userId)}/role`, { role }),
  removeUser: (tenantId: string, userId: string) =>
    call<void>('command', 'DELETE', `/admin/v1/tenants/${enc(tenantId)}/users/${enc(userId)}`),
  quotaPolicies: (tenantId: string) =>
    call<{ items: QuotaPolicy[] }>('query', 'GET', `/admin/v1/tenants/${enc(tenantId)}/quota-policies`).then((r) => r.items),
  /** sets the limits at one level: the tenant, one user (`userId`) or one key (`apiKeyId`) */
  putQuota: (tenantId: string, level: { userId?: string; apiKeyId?: string }, limits: QuotaLimits) =>
    call<void>('command', 'PUT', `/admin/v1/tenants/${enc(tenantId)}`
      + (level.userId ? `/users/${enc(level.userId)}` : level.apiKeyId ? `/api-keys/${enc(level.apiKeyId)}` : '') + '/quota', limits),
  /** this UTC month's usage of a tenant grouped by `user` or `apiKey` (or the tenant's total with `tenant`) */
  monthUsage: (tenantId: string, groupBy: 'tenant' | 'user' | 'apiKey', now = new Date()) =>
    call<{ items: UsageItem[] }>('query', 'GET', `/finance/v1/usage?tenantId=${enc(tenantId)}&groupBy=${groupBy}&from=`
      + enc(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString())).then((r) => r.items),
  setAuditContent: (tenantId: string, storePromptContent: boolean) =>
    call<void>('command', 'PUT', `/admin/v1/tenants/${enc(tenantId)}/audit-content`, { storePromptContent }),
  /** a new secret for the same key; the old one keeps working `graceSeconds` (default 3600, max 604800) */
  rotateApiKey: (tenantId: string, apiKeyId: string, graceSeconds?: number) =>
    call<{ apiKeyId: string; key: string; previousKeyValidUntil: string }>('command', 'POST',
      `/admin/v1/tenants/${enc(tenantId)}/api-keys/${enc(apiKeyId)}/rotate`, graceSeconds === undefined ? {} : { graceSeconds }),
  revokeApiKey: (tenantId: string, apiKeyId: string) =>
    call<void>('command', 'DELETE', `/admin/v1/tenants/${enc(tenantId)}/api-keys/${enc(apiKeyId)}`),
}
