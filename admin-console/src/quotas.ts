import type { ApiKey, QuotaLimits, QuotaPolicy, TenantUser, UsageItem } from './api'

/** The limits the console edits, in display order. */
export const LIMIT_FIELDS = ['requestsPerMinute', 'requestsPerDay', 'tokensPerMinute', 'tokensPerDay', 'tokensPerMonth',
  'maxConcurrentRequests', 'monthlySpendLimitUsd'] as const
export type LimitField = (typeof LIMIT_FIELDS)[number]

/**
 * One line of the quotas page. "Used now" is this UTC month's usage from GET /finance/v1/usage
 * (the ledger the query side keeps): tokens and USD micros of the calls since the 1st; the gateway's
 * per-minute, per-day and concurrency counters live in Redis and are not visible to the query side.
 */
export interface QuotaRow {
  level: 'TENANT' | 'USER' | 'API_KEY'
  subjectId: string
  label: string
  limits: QuotaLimits | null
  usedTokens: number
  usedCostMicros: number
  unpricedRequests: number
}

/** @returns the tenant's line, then one per current user and per active key, each with its policy and this month's use */
export function quotaRows(tenant: { tenantId: string; name: string }, users: TenantUser[], keys: ApiKey[], policies: QuotaPolicy[],
  usage: { tenant: UsageItem[]; user: UsageItem[]; apiKey: UsageItem[] }): QuotaRow[] {
  const policy = (scope: QuotaRow['level'], id: string) => policies.find((p) => p.scope === scope && p.subjectId === id)?.limits ?? null
  const used = (items: UsageItem[], pick: (u: UsageItem) => string | null | undefined, id: string | null) => {
    const u = items.find((x) => id === null || pick(x) === id)
    return { usedTokens: u?.totalTokens ?? 0, usedCostMicros: u?.costMicros ?? 0, unpricedRequests: u?.unpricedRequests ?? 0 }
  }
  return [
    { level: 'TENANT', subjectId: tenant.tenantId, label: tenant.name, limits: policy('TENANT', tenant.tenantId),
      ...used(usage.tenant, () => null, null) },
    ...users.filter((u) => !u.removedAt).map((u) => ({ level: 'USER' as const, subjectId: u.userId, label: u.email,
      limits: policy('USER', u.userId), ...used(usage.user, (x) => x.userId, u.userId) })),
    ...keys.filter((k) => k.status === 'ACTIVE').map((k) => ({ level: 'API_KEY' as const, subjectId: k.apiKeyId,
      label: `${k.name} (${k.displayPrefix}…)`, limits: policy('API_KEY', k.apiKeyId), ...used(usage.apiKey, (x) => x.apiKeyId, k.apiKeyId) })),
  ]
}

/** @returns the PUT body from the edit form's texts: empty = no limit (null); spend stays a decimal string */
export function limitsFromForm(form: Record<LimitField, string>): QuotaLimits {
  const out: QuotaLimits = {}
  for (const f of LIMIT_FIELDS) {
    const v = form[f].trim()
    if (f === 'monthlySpendLimitUsd') out[f] = v === '' ? null : v
    else out[f] = v === '' ? null : Number(v)
  }
  return out
}
