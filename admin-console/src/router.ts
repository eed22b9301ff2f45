import { createRouter, createWebHistory } from 'vue-router'
import { user, signIn } from './auth'
import HomeView from './views/HomeView.vue'
import CallbackView from './views/CallbackView.vue'
import TenantsView from './views/TenantsView.vue'
import ApiKeysView from './views/ApiKeysView.vue'
import FinanceView from './views/FinanceView.vue'
import ForbiddenView from './views/ForbiddenView.vue'
import AuditLogView from './views/AuditLogView.vue'
import KeyHistoryView from './views/KeyHistoryView.vue'
import { guard, mayOpenAny, playgroundGuard } from './access'
import ProvidersView from './views/ProvidersView.vue'
import RoutesView from './views/RoutesView.vue'
import PricesView from './views/PricesView.vue'
import UsersView from './views/UsersView.vue'
import QuotasView from './views/QuotasView.vue'
import PlaygroundView from './views/PlaygroundView.vue'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: HomeView, meta: { public: true } },
    { path: '/callback', name: 'callback', component: CallbackView, meta: { public: true } },
    { path: '/platform/tenants', name: 'tenants', component: TenantsView },
    { path: '/tenants/:tenantId/api-keys', name: 'api-keys', component: ApiKeysView, props: true, beforeEnter: guard('keys') },
    { path: '/forbidden', name: 'forbidden', component: ForbiddenView },
    { path: '/finance', name: 'finance-pick', component: FinanceView, beforeEnter: mayOpenAny('finance') },
    { path: '/tenants/:tenantId/finance', name: 'finance', component: FinanceView, props: true, beforeEnter: guard('finance') },
    { path: '/audit', name: 'audit-pick', component: AuditLogView, beforeEnter: mayOpenAny('audit') },
    { path: '/tenants/:tenantId/audit', name: 'audit', component: AuditLogView, props: true, beforeEnter: guard('audit') },
    { path: '/tenants/:tenantId/api-keys/:apiKeyId/history', name: 'key-history', component: KeyHistoryView, props: true,
      beforeEnter: guard('audit') },
    { path: '/platform/providers', name: 'providers', component: ProvidersView },
    { path: '/platform/routes', name: 'routes', component: RoutesView },
    { path: '/platform/prices', name: 'prices', component: PricesView },
    { path: '/tenants/:tenantId/users', name: 'users', component: UsersView, props: true },
    { path: '/tenants/:tenantId/quotas', name: 'quotas', component: QuotasView, props: true },
    { path: '/tenants/:tenantId/routes', name: 'tenant-routes', component: RoutesView, props: true },
    { path: '/playground', name: 'playground', component: PlaygroundView, beforeEnter: playgroundGuard },
  ],
})

// every page but the home page and the callback needs a signed-in user: off to Keycloak, then back here
router.beforeEach(async (to) => {
  if (!to.meta.public && !user.value) {
    await signIn(to.fullPath)
    return false
  }
  return true
})
