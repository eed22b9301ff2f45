import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, nextTick, type Component } from 'vue'
import PrimeVue from 'primevue/config'
import ConfirmationService from 'primevue/confirmationservice'
import type { User } from 'oidc-client-ts'
import { api, everyPage, queryString, resetEventPosition, type ListQuery, type Paged } from './api'
import { user } from './auth'
import { loadConfig } from './config'
import { i18n } from './i18n'
import { listQuery, useLazyList } from './lazyList'
import { me } from './session'
import ApiKeysView from './views/ApiKeysView.vue'
import UsersView from './views/UsersView.vue'

const CONFIG = { keycloakUrl: 'http://kc', realm: 'llmproxy', clientId: 'llmproxy-admin-ui',
  commandApiUrl: 'http://cmd:5001', queryApiUrl: 'http://query:5002' }

/** Page `number` (0-based) of `total` rows in pages of `size`, holding `items`. */
function page<T>(items: T[], number: number, size: number, total: number): Paged<T> {
  return { items, page: { number, size, totalElements: total, totalPages: Math.ceil(total / size) }, sort: 'createdAt,asc' }
}

describe('a tenant\'s paged lists (users, API keys)', () => {
  const urls: string[] = []
  let answer: (url: URL) => unknown = () => page([], 0, 50, 0)

  beforeEach(async () => {
    urls.length = 0
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL) => {
      if (String(url).endsWith('config.json')) return new Response(JSON.stringify(CONFIG))
      urls.push(String(url))
      return new Response(JSON.stringify(answer(new URL(String(url)))))
    }))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
  })
  afterEach(() => { vi.unstubAllGlobals(); resetEventPosition(); answer = () => page([], 0, 50, 0) })

  it('asks for one page with its search, filter, page, size and sort, encoded; nothing when none is given', async () => {
    await api.userPage('t 1')
    await api.userPage('t1', { q: 'ada@x.org', status: 'REMOVED', page: 2, size: 25, sort: 'email,desc' })
    await api.apiKeyPage('t1')
    await api.apiKeyPage('t1', { ownerUserId: 'u 1', q: '100%_', status: 'EXPIRED', page: 0, size: 10, sort: 'name' })
    await api.apiKeyPage('t1', { q: '', status: '' })
    expect(urls).toEqual([
      'http://query:5002/admin/v1/tenants/t%201/users',
      'http://query:5002/admin/v1/tenants/t1/users?q=ada%40x.org&status=REMOVED&page=2&size=25&sort=email%2Cdesc',
      'http://query:5002/admin/v1/tenants/t1/api-keys',
      'http://query:5002/admin/v1/tenants/t1/api-keys?ownerUserId=u%201&q=100%25_&status=EXPIRED&page=0&size=10&sort=name',
      'http://query:5002/admin/v1/tenants/t1/api-keys',
    ])
  })

  it('reads every user and key page after page of 200 for the pickers and the quota table', async () => {
    answer = (url) => {
      const number = Number(url.searchParams.get('page'))
      return page(Array.from({ length: number < 2 ? 200 : 50 }, (_, i) => ({ userId: `u-${number * 200 + i}` })), number, 200, 450)
    }
    const users = await api.users('t1', { status: 'ACTIVE' })
    expect(users).toHaveLength(450)
    expect(users.at(-1)).toEqual({ userId: 'u-449' })
    expect(urls).toEqual([0, 1, 2].map((n) => `http://query:5002/admin/v1/tenants/t1/users?status=ACTIVE&page=${n}&size=200`))
    urls.length = 0
    answer = () => page([{ apiKeyId: 'k1' }], 0, 200, 1)
    expect(await api.apiKeys('t1', 'u-7')).toEqual([{ apiKeyId: 'k1' }])
    expect(urls).toEqual(['http://query:5002/admin/v1/tenants/t1/api-keys?ownerUserId=u-7&page=0&size=200'])
  })

  it('stops after the last page or at the page cap', async () => {
    const read = vi.fn(async (n: number) => page([n], n, 1, 100))
    expect(await everyPage(read, 3)).toEqual([0, 1, 2])
    expect(read).toHaveBeenCalledTimes(3)
    expect(await everyPage(async (n) => page([], n, 200, 0))).toEqual([])
  })

  it('builds a query string without the empty parameters', () => {
    expect(queryString({ a: 1, b: '', c: undefined, d: null, e: 'x y' })).toBe('?a=1&e=x%20y')
    expect(queryString({})).toBe('')
  })
})

describe('a server-paged table (lazy DataTable)', () => {
  afterEach(() => vi.useRealTimers())

  it('turns the table\'s state into the list query', () => {
    expect(listQuery({ first: 0, rows: 50 })).toEqual({ page: 0, size: 50, sort: undefined, q: undefined, status: undefined })
    expect(listQuery({ first: 100, rows: 25, sortField: 'email', sortOrder: -1 }, '  ada ', 'ACTIVE'))
      .toEqual({ page: 4, size: 25, sort: 'email,desc', q: 'ada', status: 'ACTIVE' })
    expect(listQuery({ first: 10, rows: 10, sortField: 'name', sortOrder: 1 }, '   ', ''))
      .toEqual({ page: 1, size: 10, sort: 'name,asc', q: undefined, status: undefined })
  })

  it('reads the first page newest first, then follows paging, sorting, the status filter and the search (debounced)', async () => {
    vi.useFakeTimers()
    const asked: ListQuery[] = []
    const list = useLazyList<string>(async (query) => {
      asked.push(query)
      return page([`row of page ${query.page}`], query.page ?? 0, query.size ?? 50, 120)
    }, { sortField: 'createdAt', sortOrder: -1, onError: (e) => { throw e } })
    await list.reload()
    expect(asked.at(-1)).toEqual({ page: 0, size: 50, sort: 'createdAt,desc', q: undefined, status: undefined })
    expect(list.items.value).toEqual(['row of page 0'])
    expect(list.total.value).toBe(120)

    await list.onPage({ first: 50, rows: 50 })
    expect(asked.at(-1)).toMatchObject({ page: 1, size: 50 })
    await list.onSort({ sortField: 'email', sortOrder: 1 })
    expect(asked.at(-1)).toMatchObject({ page: 0, sort: 'email,asc' })
    expect(list.first.value).toBe(0)

    await list.onPage({ first: 20, rows: 10 })
    list.status.value = 'REMOVED'
    await nextTick()
    await vi.runAllTimersAsync()
    expect(asked.at(-1)).toEqual({ page: 0, size: 10, sort: 'email,asc', q: undefined, status: 'REMOVED' })

    const before = asked.length
    list.q.value = 'a'
    await nextTick()
    list.q.value = 'ada'
    await nextTick()
    await vi.advanceTimersByTimeAsync(299)
    expect(asked.length).toBe(before)
    await vi.advanceTimersByTimeAsync(1)
    expect(asked.length).toBe(before + 1)
    expect(asked.at(-1)).toEqual({ page: 0, size: 10, sort: 'email,asc', q: 'ada', status: 'REMOVED' })
  })

  it('goes back to the last page when the page shown emptied, and drops an answer a later read overtook', async () => {
    let total = 30
    const list = useLazyList<number>(async (query) => {
      const from = (query.page ?? 0) * (query.size ?? 10)
      const items = Array.from({ length: Math.max(0, Math.min(query.size ?? 10, total - from)) }, (_, i) => from + i)
      return page(items, query.page ?? 0, query.size ?? 10, total)
    }, { sortField: 'createdAt', rows: 10, onError: (e) => { throw e } })
    await list.onPage({ first: 20, rows: 10 })
    expect(list.items.value[0]).toBe(20)
    total = 15
    await list.reload()
    expect(list.first.value).toBe(10)
    expect(list.items.value).toEqual([10, 11, 12, 13, 14])

    let release: (value: Paged<string>) => void = () => {}
    const slow = new Promise<Paged<string>>((resolve) => { release = resolve })
    const answers = [slow, Promise.resolve(page(['fresh'], 0, 50, 1))]
    const raced = useLazyList<string>(() => answers.shift()!, { sortField: 'name', onError: (e) => { throw e } })
    const first = raced.reload()
    await raced.reload()
    release(page(['stale'], 0, 50, 1))
    await first
    expect(raced.items.value).toEqual(['fresh'])
    expect(raced.loading.value).toBe(false)
  })

  it('hands a failed read to onError', async () => {
    const seen: unknown[] = []
    const list = useLazyList<string>(async () => { throw new Error('503 consistency_timeout') },
      { sortField: 'name', onError: (e) => seen.push(e) })
    await list.onSort({ sortField: 'name', sortOrder: -1 })
    expect((seen[0] as Error).message).toBe('503 consistency_timeout')
    expect(list.loading.value).toBe(false)
  })
})

describe('the Users and API keys pages page on the server', () => {
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
  afterEach(() => { vi.unstubAllGlobals(); resetEventPosition(); me.value = null; document.body.innerHTML = '' })

  async function mount(view: Component, calls: string[], total: number) {
    vi.stubGlobal('fetch', vi.fn(async (url: string | URL) => {
      const u = String(url)
      if (u.endsWith('config.json')) return new Response(JSON.stringify(CONFIG))
      calls.push(u)
      if (/\/tenants\/t1$/.test(u)) return new Response(JSON.stringify({ tenantId: 't1', name: 'Acme', status: 'ACTIVE', createdAt: 'x' }))
      const size = Number(new URL(u).searchParams.get('size') ?? 50)
      const items: object[] = u.includes('/users') && !u.includes('size=200')
        ? [{ userId: 'u1', email: 'ada@acme.test', role: 'Developer', createdAt: '2026-12-01T00:00:00Z', removedAt: null,
          identity: { state: 'provisioned' } }]
        : u.includes('/api-keys') ? [{ apiKeyId: 'k1', tenantId: 't1', name: 'old', displayPrefix: 'llmp_ab', status: 'EXPIRED',
          createdAt: '2026-12-01T00:00:00Z', revokedAt: null, ownerUserId: null, expiresAt: '2026-12-02T00:00:00Z' }] : []
      return new Response(JSON.stringify({ tenantId: 't1', ...page(items, 0, size, total) }))
    }))
    await loadConfig()
    user.value = { access_token: 'at-1' } as User
    i18n.global.locale.value = 'en'
    const root = document.createElement('div')
    document.body.appendChild(root)
    const app = createApp(view, { tenantId: 't1' }).use(PrimeVue).use(ConfirmationService).use(i18n)
    app.mount(root)
    for (let i = 0; i < 5; i++) await flush()
    return { root, app }
  }

  it('Users: newest first, 50 a page, a paginator over every row, and a click on a column header sorts by it', async () => {
    me.value = { principal: 'p', platformAdmin: true, roles: [] }
    const calls: string[] = []
    const { root, app } = await mount(UsersView, calls, 120)
    expect(calls).toContain('http://query:5002/admin/v1/tenants/t1/users?page=0&size=50&sort=createdAt%2Cdesc')
    expect(root.querySelector('[data-testid="users"]')!.textContent).toContain('ada@acme.test')
    expect(root.querySelectorAll('.p-paginator-page')).toHaveLength(3)
    expect(root.querySelector('[data-testid="users-status"]')!.textContent).toContain('Any status')
    const email = [...root.querySelectorAll<HTMLElement>('th')].find((th) => th.textContent?.includes('E-mail'))!
    email.click()
    for (let i = 0; i < 3; i++) await flush()
    expect(calls.at(-1)).toBe('http://query:5002/admin/v1/tenants/t1/users?page=0&size=50&sort=email%2Casc')
    root.querySelectorAll<HTMLElement>('.p-paginator-page')[2].click()
    for (let i = 0; i < 3; i++) await flush()
    expect(calls.at(-1)).toBe('http://query:5002/admin/v1/tenants/t1/users?page=2&size=50&sort=email%2Casc')
    app.unmount()
  })

  it('API keys: a Developer\'s page asks for its own keys only; an expired key shows as expired', async () => {
    me.value = { principal: 'dev', platformAdmin: false,
      roles: [{ role: 'Developer', scope: 'tenant', tenantId: 't1', tenantName: 'Acme', userId: 'u-dev' }] }
    const calls: string[] = []
    const { root, app } = await mount(ApiKeysView, calls, 1)
    expect(calls).toEqual(['http://query:5002/admin/v1/tenants/t1/api-keys?ownerUserId=u-dev&page=0&size=50&sort=createdAt%2Cdesc'])
    expect(root.querySelector('[data-testid="api-keys"]')!.textContent).toContain('Expired')
    app.unmount()
  })
})
