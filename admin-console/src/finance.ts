import { accessToken } from './auth'
import { config } from './config'
import { ApiError } from './api'

/**
 * Finance reads of query-side (`/finance/v1/...`) and the shaping of their answers for the
 * Finance page: charts per day, cost cells that never show unpriced usage as $0, CSV downloads.
 */

/** A way to group usage, as the page offers it, and the `/finance/v1/usage` dimension and item field. */
export const GROUPS = {
  model: { dimension: 'model', field: 'model' },
  provider: { dimension: 'provider', field: 'providerId' },
  user: { dimension: 'user', field: 'userId' },
  apiKey: { dimension: 'apiKey', field: 'apiKeyId' },
} as const
export type Group = keyof typeof GROUPS

/** One item of `GET /finance/v1/usage` (tokens are counts, costMicros USD micros of the priced calls). */
export interface UsageItem {
  day?: string
  model?: string | null
  providerId?: string | null
  userId?: string | null
  apiKeyId?: string | null
  requests: number
  promptTokens: number
  cachedPromptTokens: number
  completionTokens: number
  totalTokens: number
  costMicros: number
  /** calls of a provider model without a price: their cost is unknown, not 0 */
  unpricedRequests: number
  errors: number
  costComplete: boolean
}

export interface Usage {
  tenantId: string
  from: string
  to: string
  groupBy: string
  items: UsageItem[]
  totals: Omit<UsageItem, 'day'>
}

export interface StatementLine {
  model: string | null
  providerId: string | null
  providerModel: string | null
  requests: number
  promptTokens: number
  cachedPromptTokens: number
  completionTokens: number
  costMicros: number
  costUsd: string
  unpricedRequests: number
  errors: number
  costComplete: boolean
}

export interface Statement {
  tenantId: string
  month: string
  from: string
  to: string
  lines: StatementLine[]
  total: Omit<StatementLine, 'model' | 'providerId' | 'providerModel'>
}

export interface Reconciliation {
  from: string
  to: string
  tenantId: string | null
  days: number
  matched: boolean
  differences: number
  items: { tenantId: string | null; day: string; ledger: Record<string, number>; billing: Record<string, number>;
    difference: Record<string, number> }[]
}

/** @returns the query-side URL of `path` with the non-empty `params` */
export function queryUrl(path: string, params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, String(value))
  }
  const query = search.toString()
  return config().queryApiUrl.replace(/\/$/, '') + path + (query ? `?${query}` : '')
}

/** GETs `url` with the user's token; @returns the answer; @throws ApiError with the problem JSON's message */
export async function fetchQuery(url: string, accept = 'application/json'): Promise<Response> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken()}`, Accept: accept } })
  if (!response.ok) {
    const text = await response.text()
    let json: { title?: string; detail?: string; code?: string } | undefined
    try { json = text ? JSON.parse(text) : undefined } catch { json = undefined }
    throw new ApiError(response.status, json?.title ?? response.statusText, json?.detail, json?.code)
  }
  return response
}

async function getJson<T>(path: string, params: Record<string, string | number | null | undefined>): Promise<T> {
  return (await fetchQuery(queryUrl(path, params))).json() as Promise<T>
}

/** `from`/`to` are UTC days (yyyy-MM-dd), [from, to] inclusive on the page, [from, to+1) for the API. */
export function dayRange(from: string, to: string): { from: string; to: string } {
  const end = new Date(`${to}T00:00:00Z`)
  end.setUTCDate(end.getUTCDate() + 1)
  return { from: `${from}T00:00:00Z`, to: end.toISOString().replace('.000Z', 'Z') }
}

export const financeApi = {
  /** usage per day and `group` of the tenant's calls in the UTC days [from, to] */
  usage: (tenantId: string, group: Group, from: string, to: string) =>
    getJson<Usage>('/finance/v1/usage', { tenantId, groupBy: `day,${GROUPS[group].dimension}`, ...dayRange(from, to) }),
  usageCsvUrl: (tenantId: string, group: Group, from: string, to: string) =>
    queryUrl('/finance/v1/usage', { tenantId, groupBy: `day,${GROUPS[group].dimension}`, ...dayRange(from, to), format: 'csv' }),
  statement: (tenantId: string, month: string) =>
    getJson<Statement>(`/finance/v1/tenants/${encodeURIComponent(tenantId)}/statements/${encodeURIComponent(month)}`, {}),
  statementCsvUrl: (tenantId: string, month: string) =>
    queryUrl(`/finance/v1/tenants/${encodeURIComponent(tenantId)}/statements/${encodeURIComponent(month)}`, { format: 'csv' }),
  /** reconciliation of the calendar month `yyyy-MM` */
  reconciliation: (tenantId: string, month: string) => {
    const [y, m] = month.split('-').map(Number)
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
    return getJson<Reconciliation>('/finance/v1/reconciliation', { tenantId, from: `${month}-01`, to: `${next}-01` })
  },
}

/** How a cost is shown: `priced` (all calls priced), `partial` (some unpriced) or `unpriced` (none priced). */
export type CostKind = 'priced' | 'partial' | 'unpriced'

/** @returns how to show the cost of `row`: unpriced calls have an unknown cost, which is never $0 */
export function costKind(row: { requests: number; unpricedRequests: number }): CostKind {
  if (row.unpricedRequests <= 0) return 'priced'
  return row.unpricedRequests >= row.requests ? 'unpriced' : 'partial'
}

/** @returns the label of a group value: the id, or "—" for calls without one */
export function groupLabel(item: UsageItem, group: Group): string {
  return (item[GROUPS[group].field] as string | null | undefined) ?? '—'
}

/**
 * Chart data (chart.js) of usage per day: one dataset per group value, in the order they first
 * appear; a day without calls of a group is 0 for tokens; for cost it is 0 too, but a day whose
 * calls were all unpriced is null (a gap, never a $0 bar).
 *
 * @param metric `tokens` (totalTokens) or `cost` (USD, from micros)
 */
export function dailySeries(items: UsageItem[], group: Group, metric: 'tokens' | 'cost'):
  { labels: string[]; datasets: { label: string; data: (number | null)[] }[] } {
  const days = [...new Set(items.map((i) => i.day ?? ''))].sort()
  const groups = [...new Set(items.map((i) => groupLabel(i, group)))]
  const datasets = groups.map((label) => ({
    label,
    data: days.map((day) => {
      const item = items.find((i) => i.day === day && groupLabel(i, group) === label)
      if (!item) return 0
      if (metric === 'tokens') return item.totalTokens
      return costKind(item) === 'unpriced' ? null : item.costMicros / 1_000_000
    }),
  }))
  return { labels: days, datasets }
}

/** Fetches `url` (a CSV of query-side) with the user's token and saves it as `filename`. */
export async function downloadCsv(url: string, filename: string, accept = 'text/csv'): Promise<void> {
  const blob = await (await fetchQuery(url, accept)).blob()
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = filename
  document.body.appendChild(link)
  link.click()
  link.remove()
  URL.revokeObjectURL(href)
}
