import { describe, expect, it } from 'vitest'
import { auditTenants, financeTenants, guard, mayOpen } from './access'
import { me } from './session'

const role = (r: string, tenantId: string, tenantName: string) =>
  ({ role: r, scope: `tenant:${tenantId}`, tenantId, tenantName, userId: null })

describe('what roles open', () => {
  it('opens finance to a FinanceReader, the audit log to an Auditor, keys to admins and developers, of their tenant only', () => {
    me.value = { principal: 'fin', platformAdmin: false,
      roles: [role('FinanceReader', 't1', 'Acme'), role('Auditor', 't2', 'Beta'), role('Developer', 't3', 'Gamma')] }
    expect(mayOpen('finance', 't1')).toBe(true)
    expect(mayOpen('finance', 't2')).toBe(false)
    expect(mayOpen('keys', 't1')).toBe(false)
    expect(mayOpen('keys', 't3')).toBe(true)
    expect(mayOpen('audit', 't2')).toBe(true)
    expect(mayOpen('audit', 't1')).toBe(false)
    expect(financeTenants.value).toEqual([{ tenantId: 't1', tenantName: 'Acme' }])
    expect(auditTenants.value).toEqual([{ tenantId: 't2', tenantName: 'Beta' }])
  })

  it('guards a route: a finance reader typing the keys URL lands on the not-allowed page', () => {
    me.value = { principal: 'fin', platformAdmin: false, roles: [role('FinanceReader', 't1', 'Acme')] }
    expect(guard('keys')({ params: { tenantId: 't1' }, fullPath: '/tenants/t1/api-keys' }))
      .toEqual({ name: 'forbidden', query: { page: '/tenants/t1/api-keys' } })
    expect(guard('finance')({ params: { tenantId: 't1' }, fullPath: '/tenants/t1/finance' })).toBe(true)
  })

  it('opens everything to a PlatformAdmin', () => {
    me.value = { principal: 'root', platformAdmin: true, roles: [] }
    expect(mayOpen('keys', 'any')).toBe(true)
    expect(mayOpen('audit', 'any')).toBe(true)
    expect(financeTenants.value).toEqual([])
  })
})
