import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, h } from 'vue'
import PrimeVue from 'primevue/config'
import type { User } from 'oidc-client-ts'
import { ApiError } from './api'
import { user } from './auth'
import { loadConfig } from './config'
import { costKind, dailySeries, dayRange, financeApi, type UsageItem } from './finance'
import { i18n } from './i18n'
import CostCell from './views/CostCell.vue'

const CONFIG = { keycloakUrl: 'http://kc', realm: 'llmproxy', clientId: 'llmproxy-admin-ui',
  commandApiUrl: 'http://cmd:5001', queryApiUrl: 'http://query:5002/' }

function item(day: string, model: string | null, totalTokens: number, costMicros: number, requests = 1, unpricedRequests = 0): UsageItem {
  return { day, model, requests, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, totalTokens, costMicros,
    unpricedRequests, errors: 0, costComplete: unpricedRequests === 0 }
}

describe('finance', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('tells priced, partly priced and unpriced costs apart', () => {
    expect(costKind({ requests: 3, unpricedRequests: 0 })).toBe('priced')
    expect(costKind({ requests: 3, unpricedRequests: 1 })).toBe('partial')
    expect(costKind({ requests: 3, unpricedRequests: 3 })).toBe('unpriced')
  })

  it('makes one dataset per group and one point per day; a wholly unpriced day is a gap in cost, never $0', () => {
    const items = [item('2026-12-01', 'gpt-4o', 100, 2_500_000), item('2026-12-01', 'llama3', 40, 0, 2, 2),
      item('2026-12-02', 'gpt-4o', 60, 1_000_000), item('2026-12-03', null, 5, 0, 1, 1)]
    expect(dailySeries(items, 'model', 'tokens')).toEqual({
      labels: ['2026-12-01', '2026-12-02', '2026-12-03'],
      datasets: [{ label: 'gpt-4o', data: [100, 60, 0] }, { label: 'llama3', data: [40, 0, 0] }, { label: '—', data: [0, 0, 5] }],
    })
    expect(dailySeries(items, 'model', 'cost').datasets).toEqual([
      { label: 'gpt-4o', data: [2.5, 1, 0] }, { label: 'llama3', data: [null, 0, 0] }, { label: '—', data: [0, 0, null] }])
  })

  it('asks the usage per day and group of the chosen UTC days, with the token', async () => {
    const urls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL, init?: RequestInit) => {
      urls.push(String(url))
      if (String(url).endsWith('config.json')) return new Response(JSON.stringify(CONFIG))
      expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer at-9')
      if (String(url).includes('/statements/')) {
        return new Response(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'tenant t1 not found' }),
          { status: 404 })
      }
      return new Response(JSON.stringify({ items: [], totals: {} }))
    }))
    await loadConfig()
    user.value = { access_token: 'at-9' } as User
    expect(dayRange('2026-12-01', '2026-12-31')).toEqual({ from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' })
    await financeApi.usage('t1', 'provider', '2026-12-01', '2026-12-31')
    expect(urls.at(-1)).toBe('http://query:5002/finance/v1/usage?tenantId=t1&groupBy=day%2Cprovider'
      + '&from=2026-12-01T00%3A00%3A00Z&to=2027-01-01T00%3A00%3A00Z')
    await financeApi.reconciliation('t1', '2026-12')
    expect(urls.at(-1)).toBe('http://query:5002/finance/v1/reconciliation?tenantId=t1&from=2026-12-01&to=2027-01-01')
    expect(financeApi.usageCsvUrl('t1', 'apiKey', '2026-12-01', '2026-12-01')).toContain('groupBy=day%2CapiKey')
    expect(financeApi.usageCsvUrl('t1', 'apiKey', '2026-12-01', '2026-12-01')).toContain('format=csv')
    const refused = await financeApi.statement('t1', '2026-12').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiError)
    expect((refused as ApiError).message).toBe('tenant t1 not found')
    expect(urls.at(-1)).toBe('http://query:5002/finance/v1/tenants/t1/statements/2026-12')
  })

  it('shows an unpriced cost as a flag, never as $0, and a partly priced one with its unpriced calls', async () => {
    const render = async (row: { requests: number; unpricedRequests: number; costMicros: number }, locale: 'en' | 'fr') => {
      i18n.global.locale.value = locale
      const el = document.createElement('div')
      const app = createApp({ render: () => h(CostCell, { row }) }).use(PrimeVue).use(i18n)
      app.mount(el)
      const text = el.textContent?.replace(/\s/g, ' ') ?? ''
      app.unmount()
      return text
    }
    expect(await render({ requests: 2, unpricedRequests: 2, costMicros: 0 }, 'en')).toBe('Unpriced')
    expect(await render({ requests: 2, unpricedRequests: 2, costMicros: 0 }, 'en')).not.toContain('$')
    expect(await render({ requests: 5, unpricedRequests: 1, costMicros: 1_500_000 }, 'en')).toBe('$1.50+ 1 unpriced call')
    expect(await render({ requests: 5, unpricedRequests: 3, costMicros: 1_500_000 }, 'fr')).toBe('1,50 $US+ 3 appels sans prix')
    expect(await render({ requests: 5, unpricedRequests: 0, costMicros: 0 }, 'en')).toBe('$0.00')
    i18n.global.locale.value = 'en'
  })
})
