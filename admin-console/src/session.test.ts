import { describe, expect, it } from 'vitest'
import { keyTenants, me } from './session'

describe('what a person sees', () => {
  it('lists the tenants whose keys it manages: all keys as TenantAdmin, its own as Developer', () => {
    me.value = {
      principal: 'dev@acme.test',
      platformAdmin: false,
      roles: [
        { role: 'Developer', scope: 'tenant:t1', tenantId: 't1', tenantName: 'Acme', userId: 'u1' },
        { role: 'TenantAdmin', scope: 'tenant:t2', tenantId: 't2', tenantName: 'Beta', userId: 'u2' },
        { role: 'Developer', scope: 'tenant:t2', tenantId: 't2', tenantName: 'Beta', userId: 'u2' },
        { role: 'FinanceReader', scope: 'tenant:t3', tenantId: 't3', tenantName: 'Gamma', userId: null },
      ],
    }
    expect(keyTenants.value).toEqual([
      { tenantId: 't1', tenantName: 'Acme', ownUserId: 'u1' },
      { tenantId: 't2', tenantName: 'Beta', ownUserId: null },
    ])
  })

  it('shows no tenant page to a platform-only admin', () => {
    me.value = { principal: 'platform-admin', platformAdmin: true,
      roles: [{ role: 'PlatformAdmin', scope: 'platform', tenantId: null, tenantName: null, userId: null }] }
    expect(keyTenants.value).toEqual([])
  })
})
