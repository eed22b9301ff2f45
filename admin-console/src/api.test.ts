import { afterEach, describe, expect, it, vi } from 'vitest'
import type { User } from 'oidc-client-ts'
import { api, ApiError, lastEventPosition, readUntil, resetEventPosition } from './api'
import { user } from './auth'
import { loadConfig } from './config'

const CONFIG = { keycloakUrl: 'http://kc', realm: 'llmproxy', clientId: 'llmproxy-admin-ui',
  commandApiUrl: 'http://cmd:5001/', queryApiUrl: 'http://query:5002' }

function answer(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('api', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('sends the bearer token to the right side and reads a refusal as its problem JSON', async () => {
    const calls: [string, RequestInit | undefined][] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL, init?: RequestInit) => {
      calls.push([String(url), init])
      if (String(url).endsWith('config.json')) return answer(200, CONFIG)
      return answer(403, { type: 'about:blank', title: 'Forbidden', status: 403, code: 'forbidden',
        detail: 'the token is not allowed to do this' })
    }))
    await loadConfig()
    user.value = { access_token: 'at-123' } as User
    const refused = await api.suspendTenant('t 1').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiError)
    expect((refused as ApiError).status).toBe(403)
    expect((refused as ApiError).message).toBe('the token is not allowed to do this')
    expect((refused as ApiError).code).toBe('forbidden')
    const [url, init] = calls[calls.length - 1]
    expect(url).toBe('http://cmd:5001/admin/v1/tenants/t%201/suspend')
    expect(init?.method).toBe('POST')
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer at-123')
  })

  it('re-reads until the answer shows the effect, at most the given number of times', async () => {
    let reads = 0
    expect(await readUntil(async () => ++reads, (n) => n === 3, 12, 1)).toBe(3)
    reads = 0
    expect(await readUntil(async () => ++reads, () => false, 4, 1)).toBe(4)
  })
})

describe('read your own writes (ADR 0020)', () => {
  afterEach(() => { vi.unstubAllGlobals(); resetEventPosition() })

  it('sends the last command\'s LLMProxy-Event-Position as LLMProxy-Min-Position on the reads that follow, never on commands', async () => {
    const calls: [string, Headers][] = []
    const positions = ['41', '7']
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL, init?: RequestInit) => {
      calls.push([String(url), new Headers(init?.headers)])
      if (String(url).endsWith('config.json')) return answer(200, CONFIG)
      if (init?.method === 'GET') return answer(200, { items: [] })
      return new Response(JSON.stringify({ tenantId: 't-1' }), { status: 201,
        headers: { 'Content-Type': 'application/json', 'LLMProxy-Event-Position': positions.shift()! } })
    }))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
    await api.tenants()
    expect(calls[calls.length - 1][1].has('LLMProxy-Min-Position')).toBe(false)
    await api.createTenant('Acme')
    expect(lastEventPosition()).toBe('41')
    expect(calls[calls.length - 1][1].has('LLMProxy-Min-Position')).toBe(false)
    await api.tenants()
    expect(calls[calls.length - 1][0]).toBe('http://query:5002/admin/v1/tenants?size=200&sort=createdAt,desc')
    expect(calls[calls.length - 1][1].get('LLMProxy-Min-Position')).toBe('41')
    // an older position (another command side answering late) never lowers the wait
    await api.createTenant('Beta')
    await api.providers()
    expect(calls[calls.length - 1][1].get('LLMProxy-Min-Position')).toBe('41')
  })

  it('ignores a malformed position and keeps reading without waiting', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL) => String(url).endsWith('config.json')
      ? answer(200, CONFIG)
      : new Response(null, { status: 204, headers: { 'LLMProxy-Event-Position': '12abc' } })))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
    await api.suspendTenant('t-1')
    expect(lastEventPosition()).toBeNull()
  })

  it('sends a route model with slashes as path segments and the definition as the body', async () => {
    const calls: [string, RequestInit | undefined][] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL, init?: RequestInit) => {
      calls.push([String(url), init])
      return String(url).endsWith('config.json') ? answer(200, CONFIG) : new Response(null, { status: 204 })
    }))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
    await api.putRoute('meta/llama 3', { targets: [{ providerId: 'p1', model: 'llama3', weight: 3 }], strategy: 'weighted',
      fallbacks: ['gpt-4o'], timeouts: { ttfbMs: 5000 } })
    const [url, init] = calls[calls.length - 1]
    expect(url).toBe('http://cmd:5001/admin/v1/routes/meta/llama%203')
    expect(init?.method).toBe('PUT')
    expect(JSON.parse(String(init?.body))).toEqual({ targets: [{ providerId: 'p1', model: 'llama3', weight: 3 }],
      strategy: 'weighted', fallbacks: ['gpt-4o'], timeouts: { ttfbMs: 5000 } })
  })
})

describe('a read the query side could not yet answer consistently', () => {
  afterEach(() => { vi.unstubAllGlobals(); vi.useRealTimers(); resetEventPosition() })

  const timeout = () => new Response(JSON.stringify({ title: 'Service Unavailable', status: 503, code: 'consistency_timeout',
    detail: 'The read models have reached event position 3, not yet 9' }), { status: 503,
    headers: { 'Content-Type': 'application/json', 'Retry-After': '1' } })

  it.each([
    { name: 'repeated after Retry-After until it answers', answers: [503, 503, 200], reads: 3, ok: true },
    { name: 'shown as the refusal after three repeats', answers: [503, 503, 503, 503, 200], reads: 4, ok: false },
    { name: 'another 503 is shown at once', answers: [502], reads: 1, ok: false },
  ])('$name', async ({ answers, reads, ok }) => {
    const queue = [...answers]
    let count = 0
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL) => {
      if (String(url).endsWith('config.json')) return answer(200, CONFIG)
      count++
      const status = queue.shift()!
      if (status === 503) return timeout()
      if (status === 502) return answer(503, { title: 'Service Unavailable', status: 503, code: 'identity_unavailable' })
      return answer(200, { tenantId: 't-1', name: 'Acme', status: 'ACTIVE', createdAt: '2026-12-05T00:00:00Z' })
    }))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
    vi.useFakeTimers()
    const result = api.tenant('t-1').then((t) => t, (e: unknown) => e)
    await vi.runAllTimersAsync()
    const value = await result
    expect(count).toBe(reads)
    if (ok) {
      expect((value as { name: string }).name).toBe('Acme')
    } else {
      expect(value).toBeInstanceOf(ApiError)
      expect((value as ApiError).status).toBe(503)
    }
  })
})
