import type { Me } from './api'

/**
 * @returns whether the person may administer the tenant (its users, quotas, routes, content capture):
 *          a PlatformAdmin, or a TenantAdmin of that tenant (GET /admin/v1/me). The API decides anyway.
 */
export function canAdminTenant(me: Me | null, tenantId: string): boolean {
  if (!me) return false
  return me.platformAdmin || me.roles.some((r) => r.role === 'TenantAdmin' && r.tenantId === tenantId)
}
