import type { Price } from './api'

/**
 * @param price one row of the schedule
 * @param all the whole schedule (every provider model)
 * @param now the instant to judge at
 * @returns `future` (effectiveFrom after now), `current` (the latest of its provider model at or before
 *          now) or `past` (superseded by a later price already in force)
 */
export function priceStatus(price: Price, all: readonly Price[], now: Date): 'past' | 'current' | 'future' {
  const at = Date.parse(price.effectiveFrom)
  if (at > now.getTime()) return 'future'
  const superseded = all.some((p) => p.providerId === price.providerId && p.model === price.model
    && Date.parse(p.effectiveFrom) > at && Date.parse(p.effectiveFrom) <= now.getTime())
  return superseded ? 'past' : 'current'
}
