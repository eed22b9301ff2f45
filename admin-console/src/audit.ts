import { fetchQuery, queryUrl } from './finance'

/**
 * Compliance reads of query-side: the audit log (`/audit/v1/events`, cursor-paged, exportable),
 * its chain verification (`/audit/v1/verify`), a key's history and its state as of an instant.
 */

/** The event types the log holds (admin events from the event store, `UsageRecorded` from Kafka). */
export const EVENT_TYPES = ['ApiKeyIssued', 'ApiKeyRevoked', 'ApiKeyRotated', 'AuditContentPolicySet', 'PriceSet',
  'ProviderRegistered', 'QuotaPolicySet', 'RoleAssigned', 'RoleAssignmentRemoved', 'RouteDefined', 'TenantCreated',
  'TenantReactivated', 'TenantRenamed', 'TenantSuspended', 'UsageRecorded', 'UserAdded', 'UserRemoved', 'UserRoleChanged']

/** One audit row; `actor` is `user:<username>` (a Keycloak user), `bootstrap-token`, `api-key:<id>` or null. */
export interface AuditEntry {
  sequence: number
  seq: number
  eventId: string
  source: 'admin' | 'usage'
  eventType: string
  occurredAt: string
  actor: string | null
  apiKeyId: string | null
  data: Record<string, unknown>
  hash: string
}

/** Filters of the log; times are ISO-8601 instants, [from, to). Empty = not filtered. */
export interface AuditFilters {
  from?: string
  to?: string
  eventType?: string
  actor?: string
  apiKeyId?: string
  source?: '' | 'admin' | 'usage'
}

export interface Verification {
  tenantId: string
  ok: boolean
  rows: number
  firstBroken?: { source: string; seq: number; id: number | null; eventId: string; reason: string;
    expectedHash: string; storedHash: string }
  tookMs: number
}

export interface KeyChange {
  seq: number
  eventId: string
  eventType: string
  occurredAt: string
  actor: string | null
  data: Record<string, unknown>
}

/** What applied to a key at an instant (query-side `KeyTimeline.AsOf`). */
export interface KeyAsOf {
  tenantId: string
  apiKeyId: string
  time: string
  status: 'NOT_ISSUED' | 'ACTIVE' | 'REVOKED' | 'EXPIRED'
  tenantStatus: 'ACTIVE' | 'SUSPENDED'
  usable: boolean
  name: string | null
  ownerUserId: string | null
  displayPrefix: string | null
  expiresAt: string | null
  previousKeyValidUntil: string | null
  allowedModels: string[] | null
  quota: Record<string, unknown> | null
  lastChange: KeyChange | null
}

/** Rows per page of the log on the page. */
export const PAGE_SIZE = 50

function eventParams(tenantId: string, f: AuditFilters) {
  return { tenantId, from: f.from, to: f.to, eventType: f.eventType?.trim(), actor: f.actor?.trim(),
    apiKeyId: f.apiKeyId?.trim(), source: f.source }
}

const keyPath = (tenantId: string, apiKeyId: string) =>
  `/admin/v1/tenants/${encodeURIComponent(tenantId)}/api-keys/${encodeURIComponent(apiKeyId)}`

export const auditApi = {
  /** one page of rows after `cursor` (null: the first page) */
  events: async (tenantId: string, f: AuditFilters, cursor: string | null, limit = PAGE_SIZE) =>
    (await fetchQuery(queryUrl('/audit/v1/events', { ...eventParams(tenantId, f), limit, cursor }))).json() as
      Promise<{ items: AuditEntry[]; nextCursor: string | null }>,
  /** @returns the URL of every matching row as CSV or JSON lines */
  exportUrl: (tenantId: string, f: AuditFilters, format: 'csv' | 'ndjson') =>
    queryUrl('/audit/v1/events', { ...eventParams(tenantId, f), format }),
  verify: async (tenantId: string) =>
    (await fetchQuery(queryUrl('/audit/v1/verify', { tenantId }))).json() as Promise<Verification>,
  history: async (tenantId: string, apiKeyId: string) =>
    (await fetchQuery(queryUrl(`${keyPath(tenantId, apiKeyId)}/history`, {}))).json() as Promise<{ items: KeyChange[] }>,
  asOf: async (tenantId: string, apiKeyId: string, time: string) =>
    (await fetchQuery(queryUrl(`${keyPath(tenantId, apiKeyId)}/as-of`, { time }))).json() as Promise<KeyAsOf>,
}

/** @returns whether `row` is the first broken row the verification found */
export function isBroken(row: Pick<AuditEntry, 'source' | 'seq'>, v: Verification | null): boolean {
  return !!v?.firstBroken && v.firstBroken.source === row.source && v.firstBroken.seq === row.seq
}

/** @param local a `datetime-local` value (the browser's zone); @returns the ISO instant, or undefined when empty */
export function instantOf(local: string | null | undefined): string | undefined {
  if (!local) return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/**
 * Cursor paging: `pages[i]` is the cursor that starts page i (null for the first). Next pushes the
 * answer's `nextCursor`; previous drops the last one.
 */
export class CursorPages {
  private cursors: (string | null)[] = [null]
  get index(): number { return this.cursors.length - 1 }
  get current(): string | null { return this.cursors[this.index] }
  next(nextCursor: string): void { this.cursors.push(nextCursor) }
  previous(): void { if (this.cursors.length > 1) this.cursors.pop() }
  reset(): void { this.cursors = [null] }
}
