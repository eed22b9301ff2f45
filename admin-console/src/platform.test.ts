import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, nextTick } from 'vue'
import PrimeVue from 'primevue/config'
import type { User } from 'oidc-client-ts'
import { user } from './auth'
import { loadConfig } from './config'
import { i18n } from './i18n'
import { platformMessages } from './locales/platform'
import { resetEventPosition } from './api'
import { priceStatus } from './prices'
import { toDefinition, toForm } from './routeForm'
import { formatUsdPerMillion } from './format'
import ProvidersView from './views/ProvidersView.vue'

const CONFIG = { keycloakUrl: 'http://kc', realm: 'llmproxy', clientId: 'llmproxy-admin-ui',
  commandApiUrl: 'http://cmd:5001', queryApiUrl: 'http://query:5002' }

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])).sort()
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('platform messages', () => {
  it('has every English message in French too', () => {
    expect(keys(platformMessages.fr)).toEqual(keys(platformMessages.en))
    expect(keys(platformMessages.en)).toContain('providers.apiKeyHelp')
  })
})

describe('prices', () => {
  const price = (model: string, effectiveFrom: string) => ({ providerId: 'p1', model, inputPerMillionUsd: '2.5',
    outputPerMillionUsd: '10', cachedInputPerMillionUsd: null, effectiveFrom, setAt: '2026-01-01T00:00:00Z' })
  it('marks each price past, in force or upcoming per provider model', () => {
    const all = [price('gpt-4o', '2026-01-01T00:00:00Z'), price('gpt-4o', '2026-06-01T00:00:00Z'),
      price('gpt-4o', '2027-01-01T00:00:00Z'), price('mini', '2026-02-01T00:00:00Z')]
    const now = new Date('2026-12-05T14:00:00Z')
    expect(all.map((p) => priceStatus(p, all, now))).toEqual(['past', 'current', 'future', 'current'])
  })
  it('formats USD per million tokens in the locale, none as a dash', () => {
    expect(formatUsdPerMillion('2.5', 'en')).toBe('$2.50')
    expect(formatUsdPerMillion('0.000125', 'en')).toBe('$0.000125')
    expect(formatUsdPerMillion('2.5', 'fr').replace(/\s/g, ' ')).toBe('2,50 $US')
    expect(formatUsdPerMillion(null, 'en')).toBe('—')
  })
})

describe('route editor', () => {
  it('round-trips a route and leaves unset numbers out of the PUT body', () => {
    const form = toForm({ routeId: 'r1', model: 'chat', tenantId: null, updatedAt: '2026-12-01T00:00:00Z',
      targets: [{ providerId: 'p1', model: 'gpt-4o', weight: 3 }, { providerId: 'p2', model: 'claude', weight: 1 }],
      policy: { strategy: 'weighted', fallbacks: ['small'], timeouts: { ttfbMs: 5000 } } })
    expect(form.targets[0]).toEqual({ providerId: 'p1', model: 'gpt-4o', weight: '3', priority: '' })
    expect(form.fallbacks).toBe('small')
    form.fallbacks = 'small, , tiny '
    form.totalMs = '60000'
    expect(toDefinition(form)).toEqual({
      targets: [{ providerId: 'p1', model: 'gpt-4o', weight: 3 }, { providerId: 'p2', model: 'claude', weight: 1 }],
      strategy: 'weighted', fallbacks: ['small', 'tiny'], timeouts: { ttfbMs: 5000, totalMs: 60000 } })
  })
  it('starts a new route with one blank target and the weighted strategy', () => {
    expect(toDefinition(toForm())).toEqual({ targets: [{ providerId: '', model: '' }], strategy: 'weighted' })
  })
})

describe('providers page', () => {
  afterEach(() => { vi.unstubAllGlobals(); resetEventPosition(); document.body.innerHTML = '' })

  it('sends the API key once, clears the field and never shows it; the list read waits for the command', async () => {
    const calls: { url: string; method: string; body?: string; minPosition: string | null }[] = []
    let registered = false
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL, init?: RequestInit) => {
      const u = String(url)
      calls.push({ url: u, method: init?.method ?? 'GET', body: init?.body as string | undefined,
        minPosition: new Headers(init?.headers).get('LLMProxy-Min-Position') })
      if (u.endsWith('config.json')) return new Response(JSON.stringify(CONFIG))
      if (init?.method === 'POST') {
        registered = true
        return new Response(JSON.stringify({ providerId: 'p-9' }), { status: 201, headers: { 'LLMProxy-Event-Position': '1234' } })
      }
      return new Response(JSON.stringify({ items: registered ? [{ providerId: 'p-9', name: 'OpenAI prod', type: 'openai',
        baseUrl: 'https://api.openai.com', createdAt: '2026-12-05T13:00:00Z' }] : [],
      page: { number: 0, size: 200, totalElements: registered ? 1 : 0, totalPages: 1 } }))
    }))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
    i18n.global.locale.value = 'en'
    const root = document.createElement('div')
    document.body.appendChild(root)
    const app = createApp(ProvidersView).use(PrimeVue).use(i18n)
    app.mount(root)
    await flush()
    const set = (id: string, value: string) => {
      const input = root.querySelector<HTMLInputElement>(`#${id}`)!
      input.value = value
      input.dispatchEvent(new Event('input'))
    }
    set('provider-name', 'OpenAI prod')
    set('provider-base-url', 'https://api.openai.com')
    set('provider-api-key', 'sk-very-secret')
    await nextTick()
    root.querySelector('form')!.dispatchEvent(new Event('submit'))
    for (let i = 0; i < 5; i++) await flush()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url).toBe('http://cmd:5001/admin/v1/providers')
    expect(JSON.parse(post.body!)).toEqual({ name: 'OpenAI prod', type: 'openai', baseUrl: 'https://api.openai.com', apiKey: 'sk-very-secret' })
    const reread = calls[calls.length - 1]
    expect(reread.url).toBe('http://query:5002/admin/v1/providers?size=200&sort=name')
    expect(reread.minPosition).toBe('1234')
    expect(root.querySelector<HTMLInputElement>('#provider-api-key')!.value).toBe('')
    expect(root.innerHTML).not.toContain('sk-very-secret')
    expect(root.querySelector('[data-testid="provider-registered"]')!.textContent).toContain('OpenAI prod registered')
    expect(root.querySelector('[data-testid="providers"]')!.textContent).toContain('https://api.openai.com')
    app.unmount()
  })
})
