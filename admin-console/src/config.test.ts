import { afterEach, describe, expect, it, vi } from 'vitest'
import { edgeUrl, edgeUrlOf, loadConfig } from './config'

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

describe('edgeUrlOf: where the playground may send a pasted key', () => {
  it.each([
    // configured: used when it is an http(s) URL, wherever the console is
    ['https://edge.example', 'https://console.example', 'https://edge.example'],
    ['  http://10.0.0.5:5000/  ', 'https://console.example', 'http://10.0.0.5:5000/'],
    ['http://localhost:7000', 'http://localhost:3000', 'http://localhost:7000'],
    ['javascript:alert(1)', 'http://localhost:3000', null],
    ['ftp://edge.example', 'https://console.example', null],
    ['edge.example:5000', 'https://console.example', null],
    ['not a url', 'http://localhost:3000', null],
    // none: the local default only for a console served from this machine
    [undefined, 'http://localhost:3000', 'http://localhost:5000'],
    ['', 'http://127.0.0.1:3000', 'http://localhost:5000'],
    ['   ', 'http://[::1]:3000', 'http://localhost:5000'],
    [undefined, 'https://console.example', null],
    [undefined, 'http://localhost.evil.example:3000', null],
    [undefined, 'http://127.0.0.1.nip.io:3000', null],
    [null, 'https://admin.acme.example', null],
    [42, 'https://admin.acme.example', null],
    [undefined, 'null', null],
  ])('edgeUrl %j on a console at %s → %j', (configured, origin, expected) => {
    expect(edgeUrlOf(configured, origin)).toBe(expected)
  })
})
