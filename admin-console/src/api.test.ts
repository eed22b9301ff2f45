import { afterEach, describe, expect, it, vi } from 'vitest'
import type { User } from 'oidc-client-ts'
import { api, ApiError, readUntil } from './api'
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
