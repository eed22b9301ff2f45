import { afterEach, describe, expect, it, vi } from 'vitest'
import type { User } from 'oidc-client-ts'
import { api, resetEventPosition, type ApiKey, type TenantUser } from './api'
import { canAdminTenant } from './access'
import { user } from './auth'
import { loadConfig } from './config'
import { tenantMessages } from './locales/tenant'
import { limitsFromForm, quotaRows } from './quotas'

const CONFIG = { keycloakUrl: 'http://kc', realm: 'llmproxy', clientId: 'llmproxy-admin-ui',
  commandApiUrl: 'http://cmd:5001', queryApiUrl: 'http://query:5002' }

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])).sort()
}

const u = (userId: string, email: string, removedAt: string | null = null): TenantUser =>
  ({ userId, email, role: 'Developer', createdAt: '2026-12-01T00:00:00Z', removedAt, identity: { state: 'provisioned' } })
const k = (apiKeyId: string, status = 'ACTIVE'): ApiKey => ({ apiKeyId, tenantId: 't1', name: `key ${apiKeyId}`, displayPrefix: 'llmp_ab',
  status, createdAt: '2026-12-01T00:00:00Z', revokedAt: null, ownerUserId: null, expiresAt: null })

describe('tenant messages', () => {
  it('has every English message in French too', () => {
    expect(keys(tenantMessages.fr)).toEqual(keys(tenantMessages.en))
  })
})

describe('quotas', () => {
  it('puts each limit beside this month\'s use at tenant, user and key level, skipping removed users and revoked keys', () => {
    const rows = quotaRows({ tenantId: 't1', name: 'Acme' }, [u('u1', 'a@acme.test'), u('u2', 'gone@acme.test', '2026-12-02T00:00:00Z')],
      [k('k1'), k('k2', 'REVOKED')],
      [{ scope: 'TENANT', subjectId: 't1', limits: { tokensPerMonth: 1000000 }, updatedAt: '2026-12-01T00:00:00Z' },
        { scope: 'API_KEY', subjectId: 'k1', limits: { monthlySpendLimitUsd: '25.5' }, updatedAt: '2026-12-01T00:00:00Z' }],
      { tenant: [{ tenantId: 't1', requests: 9, totalTokens: 5400, costMicros: 12000, unpricedRequests: 1 }],
        user: [{ userId: 'u1', requests: 4, totalTokens: 2000, costMicros: 5000, unpricedRequests: 0 }],
        apiKey: [{ apiKeyId: 'k9', requests: 1, totalTokens: 1, costMicros: 1, unpricedRequests: 0 }] })
    expect(rows.map((r) => [r.level, r.subjectId, r.limits, r.usedTokens, r.usedCostMicros, r.unpricedRequests])).toEqual([
      ['TENANT', 't1', { tokensPerMonth: 1000000 }, 5400, 12000, 1],
      ['USER', 'u1', null, 2000, 5000, 0],
      ['API_KEY', 'k1', { monthlySpendLimitUsd: '25.5' }, 0, 0, 0],
    ])
  })

  it('turns the edit form into the PUT body: empty means no limit, spend stays a decimal string', () => {
    expect(limitsFromForm({ requestsPerMinute: '60', requestsPerDay: '', tokensPerMinute: ' ', tokensPerDay: '100000',
      tokensPerMonth: '', maxConcurrentRequests: '4', monthlySpendLimitUsd: '19.99' })).toEqual({ requestsPerMinute: 60,
      requestsPerDay: null, tokensPerMinute: null, tokensPerDay: 100000, tokensPerMonth: null, maxConcurrentRequests: 4,
      monthlySpendLimitUsd: '19.99' })
  })
})

describe('who administers a tenant', () => {
  it('is a PlatformAdmin or a TenantAdmin of that tenant, not a Developer or another tenant\'s admin', () => {
    const role = (r: string, tenantId: string | null) => ({ role: r, scope: 'x', tenantId, tenantName: null, userId: null })
    expect(canAdminTenant({ principal: 'p', platformAdmin: true, roles: [] }, 't1')).toBe(true)
    expect(canAdminTenant({ principal: 'a', platformAdmin: false, roles: [role('TenantAdmin', 't1')] }, 't1')).toBe(true)
    expect(canAdminTenant({ principal: 'b', platformAdmin: false, roles: [role('TenantAdmin', 't2')] }, 't1')).toBe(false)
    expect(canAdminTenant({ principal: 'd', platformAdmin: false, roles: [role('Developer', 't1')] }, 't1')).toBe(false)
    expect(canAdminTenant(null, 't1')).toBe(false)
  })
})

describe('tenant API calls', () => {
  afterEach(() => { vi.unstubAllGlobals(); resetEventPosition() })

  it('addresses quotas at each level, this month\'s usage, content capture, rotation and a key\'s options', async () => {
    const calls: [string, string, unknown][] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL, init?: RequestInit) => {
      calls.push([init?.method ?? 'GET', String(url), init?.body ? JSON.parse(String(init.body)) : undefined])
      return String(url).endsWith('config.json') ? new Response(JSON.stringify(CONFIG)) : new Response(JSON.stringify({ items: [] }))
    }))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
    await api.putQuota('t1', {}, { tokensPerDay: 10 })
    await api.putQuota('t1', { userId: 'u 1' }, {})
    await api.putQuota('t1', { apiKeyId: 'k1' }, {})
    await api.monthUsage('t1', 'user', new Date('2026-12-05T14:00:00Z'))
    await api.setAuditContent('t1', true)
    await api.rotateApiKey('t1', 'k1', 7200)
    await api.issueApiKey('t1', 'ci', undefined, { ownerUserId: 'u1', allowedModels: ['gpt-4o-mini'], expiresAt: '2027-01-01T00:00:00.000Z' })
    expect(calls.slice(1)).toEqual([
      ['PUT', 'http://cmd:5001/admin/v1/tenants/t1/quota', { tokensPerDay: 10 }],
      ['PUT', 'http://cmd:5001/admin/v1/tenants/t1/users/u%201/quota', {}],
      ['PUT', 'http://cmd:5001/admin/v1/tenants/t1/api-keys/k1/quota', {}],
      ['GET', 'http://query:5002/finance/v1/usage?tenantId=t1&groupBy=user&from=2026-12-01T00%3A00%3A00.000Z', undefined],
      ['PUT', 'http://cmd:5001/admin/v1/tenants/t1/audit-content', { storePromptContent: true }],
      ['POST', 'http://cmd:5001/admin/v1/tenants/t1/api-keys/k1/rotate', { graceSeconds: 7200 }],
      ['POST', 'http://cmd:5001/admin/v1/tenants/t1/api-keys', { name: 'ci', ownerUserId: 'u1', allowedModels: ['gpt-4o-mini'],
        expiresAt: '2027-01-01T00:00:00.000Z' }],
    ])
  })
})
