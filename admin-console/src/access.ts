import type { Me } from './api'
import { computed } from 'vue'
import { keyTenants, me } from './session'

/**
 * What the signed-in person may read, per tenant, from its role assignments (`GET /admin/v1/me`),
 * following the permission matrix (shared-kernel `Permission`): `usage:read` and `statements:read`
 * are PlatformAdmin's and FinanceReader's; `audit:read` (log, verification, key history, as-of) is
 * PlatformAdmin's and Auditor's; `keys:issue` is PlatformAdmin's and TenantAdmin's, `keys:issue-own`
 * also a Developer's. A PlatformAdmin holds every permission in every tenant.
 */
export type Area = 'finance' | 'audit' | 'keys'

const ROLES: Record<Area, readonly string[]> = {
  finance: ['FinanceReader'],
  audit: ['Auditor'],
  keys: ['TenantAdmin', 'Developer'],
}

/** @returns whether the person may open `area`'s pages of `tenantId` */
export function mayOpen(area: Area, tenantId: string): boolean {
  if (me.value?.platformAdmin) return true
  return (me.value?.roles ?? []).some((r) => r.tenantId === tenantId && ROLES[area].includes(r.role))
}

function tenantsWith(area: Area) {
  const out = new Map<string, { tenantId: string; tenantName: string }>()
  for (const r of me.value?.roles ?? []) {
    if (r.tenantId && ROLES[area].includes(r.role) && !out.has(r.tenantId)) {
      out.set(r.tenantId, { tenantId: r.tenantId, tenantName: r.tenantName ?? r.tenantId })
    }
  }
  return [...out.values()]
}

/** The tenants whose usage, statements and reconciliation the person reads through a tenant role. */
export const financeTenants = computed(() => tenantsWith('finance'))
/** The tenants whose audit log the person reads through a tenant role. */
export const auditTenants = computed(() => tenantsWith('audit'))

/**
 * A route guard (vue-router `beforeEnter`): lets the person in when its roles allow `area` for the
 * route's `tenantId`, else sends it to the "not allowed" page.
 */
export function guard(area: Area) {
  return (to: { params: Record<string, unknown>; fullPath: string }) =>
    mayOpen(area, String(to.params.tenantId ?? '')) ? true : { name: 'forbidden', query: { page: to.fullPath } }
}

/** A route guard for a tenant-picking page of `area`: a PlatformAdmin, or anyone whose roles open it for some tenant. */
export function mayOpenAny(area: 'finance' | 'audit') {
  return (to: { fullPath: string }) =>
    me.value?.platformAdmin || (area === 'finance' ? financeTenants : auditTenants).value.length > 0
      ? true : { name: 'forbidden', query: { page: to.fullPath } }
}

/**
 * @returns whether the person may administer the tenant (its users, quotas, routes, content capture):
 *          a PlatformAdmin, or a TenantAdmin of that tenant (GET /admin/v1/me). The API decides anyway.
 */
export function canAdminTenant(me: Me | null, tenantId: string): boolean {
  if (!me) return false
  return me.platformAdmin || me.roles.some((r) => r.role === 'TenantAdmin' && r.tenantId === tenantId)
}

/** Whether the Playground is offered: to a PlatformAdmin and to whoever may issue keys in some tenant (TenantAdmin, Developer). */
export const mayUsePlayground = computed(() => Boolean(me.value?.platformAdmin) || keyTenants.value.length > 0)

/** The Playground's route guard: {@link mayUsePlayground}, else the "not allowed" page. */
export function playgroundGuard(to: { fullPath: string }) {
  return mayUsePlayground.value ? true : { name: 'forbidden', query: { page: to.fullPath } }
}
