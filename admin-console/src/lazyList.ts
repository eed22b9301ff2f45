import { ref, watch, type Ref } from 'vue'
import type { ListQuery, Paged } from './api'

/** The page sizes a server-paged table offers (the API's default is 50, its maximum 200). */
export const ROWS_PER_PAGE = [10, 25, 50, 100, 200]

/** What a lazy PrimeVue DataTable shows: the first row's index, rows per page, the sorted column (1 asc, -1 desc). */
export interface LazyState {
  first: number
  rows: number
  sortField?: string | null
  sortOrder?: number | null
}

/**
 * @returns the list query of a table's state: `page` = first / rows, `size` = rows, `sort` = `<field>,asc|desc`
 *          (none without a sorted column), `q` trimmed (none when blank), `status` (none when empty)
 */
export function listQuery(state: LazyState, q = '', status: string | null = null): ListQuery {
  return {
    page: Math.floor(state.first / state.rows),
    size: state.rows,
    sort: state.sortField ? `${state.sortField},${state.sortOrder === -1 ? 'desc' : 'asc'}` : undefined,
    q: q.trim() || undefined,
    status: status || undefined,
  }
}

export interface LazyListOptions {
  /** the column sorted first (an API sort field) and its direction */
  sortField: string
  sortOrder?: 1 | -1
  /** rows per page (default 50) */
  rows?: number
  /** how long the search box waits after the last keystroke before reading (ms, default 300) */
  debounceMs?: number
  /** where a failed read goes (the page's problem message) */
  onError: (e: unknown) => void
}

/**
 * A server-paged, sorted and filtered table (PrimeVue DataTable `lazy` with its paginator), over a list
 * endpoint of ADR 0021. Bind `items`, `total`, `first`, `rows`, `sortField`, `sortOrder` and `loading`
 * to the table, `onPage`/`onSort` to its `@page`/`@sort`, `q` to a search box and `status` to a filter.
 * A new search or filter goes back to the first page; the search waits `debounceMs`. A read that a later
 * one overtook is dropped. `reload()` re-reads the page shown (after a command).
 */
export function useLazyList<T>(load: (query: ListQuery) => Promise<Paged<T>>, options: LazyListOptions) {
  const items = ref<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const first = ref(0)
  const rows = ref(options.rows ?? 50)
  const sortField = ref<string>(options.sortField)
  const sortOrder = ref<1 | -1>(options.sortOrder ?? 1)
  const q = ref('')
  const status = ref('')
  const loading = ref(false)
  let latest = 0

  async function reload(): Promise<void> {
    const mine = ++latest
    loading.value = true
    try {
      const answer = await load(listQuery({ first: first.value, rows: rows.value, sortField: sortField.value,
        sortOrder: sortOrder.value }, q.value, status.value))
      if (mine !== latest) return
      items.value = answer.items
      total.value = answer.page.totalElements
      if (answer.items.length === 0 && first.value > 0 && answer.page.totalPages > 0) {
        // past the last page (rows went away meanwhile): show the last one
        first.value = (answer.page.totalPages - 1) * rows.value
        await reload()
      }
    } finally {
      if (mine === latest) loading.value = false
    }
  }

  const read = () => reload().catch(options.onError)

  function onPage(event: { first: number; rows: number }): Promise<void> {
    first.value = event.first
    rows.value = event.rows
    return read()
  }

  function onSort(event: { sortField?: unknown; sortOrder?: number | null }): Promise<void> {
    sortField.value = typeof event.sortField === 'string' && event.sortField ? event.sortField : options.sortField
    sortOrder.value = event.sortOrder === -1 ? -1 : 1
    first.value = 0
    return read()
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  watch(q, () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      first.value = 0
      read()
    }, options.debounceMs ?? 300)
  })
  watch(status, () => {
    first.value = 0
    read()
  })

  return { items, total, first, rows, sortField, sortOrder, q, status, loading, reload, onPage, onSort }
}
