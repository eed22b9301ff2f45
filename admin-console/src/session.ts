import { computed, ref } from 'vue'
import { api, ApiError, type Me } from './api'

/**
 * What the signed-in person may see, from `GET /admin/v1/me` (query-side): a PlatformAdmin sees
 * the Platform pages; a TenantAdmin or Developer sees the API keys of its tenants. A person with
 * no role assignment gets 403 there and sees a notice instead.
 */
export const me = ref<Me | null>(null)
export const noRoles = ref(false)

export async function loadMe(): Promise<void> {
  try {
    me.value = await api.me()
    noRoles.value = false
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) {
      me.value = null
      noRoles.value = true
      return
    }
    throw e
  }
}

/** The tenants whose keys the person may manage: {tenantId, tenantName, ownUserId (Developer only)}. */
export const keyTenants = computed(() => {
  const out = new Map<string, { tenantId: string; tenantName: string; ownUserId: string | null }>()
  for (const r of me.value?.roles ?? []) {
    if (!r.tenantId) continue
    if (r.role === 'TenantAdmin') {
      out.set(r.tenantId, { tenantId: r.tenantId, tenantName: r.tenantName ?? r.tenantId, ownUserId: null })
    } else if (r.role === 'Developer' && !out.has(r.tenantId)) {
      out.set(r.tenantId, { tenantId: r.tenantId, tenantName: r.tenantName ?? r.tenantId, ownUserId: r.userId })
    }
  }
  return [...out.values()]
})
