import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import PrimeVue from 'primevue/config'
import type { User } from 'oidc-client-ts'
import { user } from './auth'
import { loadConfig } from './config'
import { auditApi, CursorPages, instantOf, isBroken, type AuditEntry } from './audit'
import { i18n } from './i18n'
import { me } from './session'
import AuditLogView from './views/AuditLogView.vue'

const CONFIG = { keycloakUrl: 'http://kc', realm: 'llmproxy', clientId: 'llmproxy-admin-ui',
  commandApiUrl: 'http://cmd:5001', queryApiUrl: 'http://query:5002' }

function row(seq: number, eventType: string, actor: string): AuditEntry {
  return { sequence: 100 + seq, seq, eventId: `e${seq}`, source: 'admin', eventType, occurredAt: `2026-12-05T10:0${seq}:00Z`,
    actor, apiKeyId: 'k1', data: { name: 'ci' }, hash: 'ab'.repeat(32) }
}

const flush = async () => { for (let i = 0; i < 10; i++) { await new Promise((r) => setTimeout(r, 0)); await nextTick() } }

describe('audit', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('pages by cursor: next remembers where each page starts, previous goes back', () => {
    const pages = new CursorPages()
    expect([pages.index, pages.current]).toEqual([0, null])
    pages.next('c1')
    pages.next('c2')
    expect([pages.index, pages.current]).toEqual([2, 'c2'])
    pages.previous()
    expect([pages.index, pages.current]).toEqual([1, 'c1'])
    pages.reset()
    pages.previous()
    expect([pages.index, pages.current]).toEqual([0, null])
  })

  it('reads a datetime-local value as an instant and knows the broken row', () => {
    expect(instantOf('')).toBeUndefined()
    expect(instantOf('2026-12-05T10:30')).toBe(new Date('2026-12-05T10:30').toISOString())
    const v = { tenantId: 't', ok: false, rows: 2, tookMs: 1, firstBroken: { source: 'admin', seq: 3, id: 103, eventId: 'e3',
      reason: 'hash mismatch', expectedHash: 'aa', storedHash: 'bb' } }
    expect(isBroken({ source: 'admin', seq: 3 }, v)).toBe(true)
    expect(isBroken({ source: 'usage', seq: 3 }, v)).toBe(false)
    expect(isBroken({ source: 'admin', seq: 3 }, { ...v, ok: true, firstBroken: undefined })).toBe(false)
  })

  it('asks the filtered page, the export and the as-of with the right parameters', async () => {
    const urls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL) => {
      urls.push(String(url))
      if (String(url).endsWith('config.json')) return new Response(JSON.stringify(CONFIG))
      return new Response(JSON.stringify({ items: [], nextCursor: null }))
    }))
    await loadConfig()
    user.value = { access_token: 'at' } as User
    await auditApi.events('t1', { actor: ' user:ann ', eventType: '', source: 'admin', from: '2026-12-01T00:00:00.000Z' }, 'CUR')
    expect(urls.at(-1)).toBe('http://query:5002/audit/v1/events?tenantId=t1&from=2026-12-01T00%3A00%3A00.000Z'
      + '&actor=user%3Aann&source=admin&limit=50&cursor=CUR')
    expect(auditApi.exportUrl('t1', { apiKeyId: 'k1' }, 'ndjson')).toBe('http://query:5002/audit/v1/events?tenantId=t1&apiKeyId=k1&format=ndjson')
    await auditApi.asOf('t 1', 'k1', '2026-12-05T10:00:00Z')
    expect(urls.at(-1)).toBe('http://query:5002/admin/v1/tenants/t%201/api-keys/k1/as-of?time=2026-12-05T10%3A00%3A00Z')
  })

  it('highlights the first broken row after verification, and shows the refusal of a forbidden read', async () => {
    let verifyStatus = 200
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL) => {
      const u = String(url)
      if (u.endsWith('config.json')) return new Response(JSON.stringify(CONFIG))
      if (u.includes('/admin/v1/tenants/t1')) return new Response(JSON.stringify({ tenantId: 't1', name: 'Acme', status: 'ACTIVE' }))
      if (u.includes('/audit/v1/verify')) {
        return verifyStatus === 200
          ? new Response(JSON.stringify({ tenantId: 't1', ok: false, rows: 1, tookMs: 3, firstBroken: { source: 'admin', seq: 2,
            id: 102, eventId: 'e2', reason: 'hash mismatch', expectedHash: 'aa', storedHash: 'bb' } }))
          : new Response(JSON.stringify({ title: 'Forbidden', status: 403, detail: 'audit:read is not granted in tenant t1' }),
            { status: 403 })
      }
      return new Response(JSON.stringify({ items: [row(1, 'ApiKeyIssued', 'user:ann'), row(2, 'ApiKeyRevoked', 'user:ann')],
        nextCursor: null }))
    }))
    await loadConfig()
    user.value = { access_token: 'at' } as User
    me.value = { principal: 'ann', platformAdmin: false,
      roles: [{ role: 'Auditor', scope: 'tenant:t1', tenantId: 't1', tenantName: 'Acme', userId: null }] }
    i18n.global.locale.value = 'en'
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
    const el = document.createElement('div')
    document.body.appendChild(el)
    const app = createApp({ render: () => h(AuditLogView, { tenantId: 't1' }) }).use(PrimeVue).use(i18n).use(router)
    app.mount(el)
    await flush()
    expect(el.querySelector('h1')?.textContent).toBe('Audit log of Acme')
    expect(el.querySelectorAll('[data-testid=audit-log] tbody tr')).toHaveLength(2)
    expect(el.querySelector('.broken-row')).toBeNull()
    const button = (label: string) => [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === label)!
    button('Verify the chain').click()
    await flush()
    const broken = el.querySelectorAll('.broken-row')
    expect(broken).toHaveLength(1)
    expect(broken[0].textContent).toContain('ApiKeyRevoked')
    expect(broken[0].textContent).toContain('Broken row')
    expect(el.querySelector('[data-testid=verification]')?.textContent).toContain('The chain is broken at the admin row 2: hash mismatch')
    verifyStatus = 403
    button('Verify the chain').click()
    await flush()
    expect(el.querySelector('[data-testid=problem]')?.textContent).toContain('audit:read is not granted in tenant t1')
    expect(el.querySelector('.broken-row')).toBeNull()
    app.unmount()
    el.remove()
  })
})
