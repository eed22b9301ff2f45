import { afterEach, describe, expect, it, vi } from 'vitest'
import { edgeUrl, loadConfig } from './config'

describe('config', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('reads config.json next to index.html even when the page is a deep link', async () => {
    window.history.pushState({}, '', '/tenants/t1/api-keys')
    const urls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL) => {
      urls.push(String(url))
      return new Response(JSON.stringify({ keycloakUrl: 'http://kc', realm: 'r', clientId: 'c', commandApiUrl: 'http://cmd',
        queryApiUrl: 'http://q' }))
    }))
    expect((await loadConfig()).realm).toBe('r')
    expect(urls).toEqual([`${window.location.origin}/config.json`])
    // no edgeUrl: the playground calls the edge of infra/local/up.sh
    expect(edgeUrl()).toBe('http://localhost:5000')
  })
})
