import type { Route, RouteDefinition } from './api'

/** The route strategies of README "Routing" (default `weighted`). */
export const STRATEGIES = ['weighted', 'priority', 'least-latency', 'least-busy'] as const

/** A route as the editor holds it: numbers as text fields may leave them (empty = unset). */
export interface RouteForm {
  model: string
  targets: { providerId: string; model: string; weight: string; priority: string }[]
  strategy: string
  fallbacks: string
  retryAttempts: string
  retryBackoffMs: string
  connectMs: string
  ttfbMs: string
  idleMs: string
  totalMs: string
}

const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n))
const num = (s: string) => (s.trim() === '' ? undefined : Number(s))

/** @returns the editor's form for an existing route, or an empty one (one blank target) */
export function toForm(route?: Route): RouteForm {
  const p = route?.policy ?? {}
  return {
    model: route?.model ?? '',
    targets: (route?.targets ?? [{ providerId: '', model: '' }]).map((x) => ({ providerId: x.providerId, model: x.model,
      weight: text(x.weight), priority: text(x.priority) })),
    strategy: p.strategy ?? 'weighted',
    fallbacks: (p.fallbacks ?? []).join(', '),
    retryAttempts: text(p.retry?.attempts), retryBackoffMs: text(p.retry?.backoffMs),
    connectMs: text(p.timeouts?.connectMs), ttfbMs: text(p.timeouts?.ttfbMs),
    idleMs: text(p.timeouts?.idleMs), totalMs: text(p.timeouts?.totalMs),
  }
}

/**
 * @returns the body of PUT .../routes/{model}: unset numbers and empty groups left out, so the
 *          command side applies its defaults; the command side validates (400 naming the field)
 */
export function toDefinition(form: RouteForm): RouteDefinition {
  const def: RouteDefinition = {
    targets: form.targets.map((x) => {
      const target: RouteDefinition['targets'][number] = { providerId: x.providerId, model: x.model.trim() }
      if (num(x.weight) !== undefined) target.weight = num(x.weight)
      if (num(x.priority) !== undefined) target.priority = num(x.priority)
      return target
    }),
    strategy: form.strategy,
  }
  const fallbacks = form.fallbacks.split(',').map((s) => s.trim()).filter(Boolean)
  if (fallbacks.length) def.fallbacks = fallbacks
  if (num(form.retryAttempts) !== undefined || num(form.retryBackoffMs) !== undefined) {
    def.retry = { attempts: num(form.retryAttempts), backoffMs: num(form.retryBackoffMs) }
  }
  const timeouts = { connectMs: num(form.connectMs), ttfbMs: num(form.ttfbMs), idleMs: num(form.idleMs), totalMs: num(form.totalMs) }
  const set = Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined))
  if (Object.keys(set).length) def.timeouts = set
  return def
}
