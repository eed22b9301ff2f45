/** Dates and money in the console's locale, with Intl (never hand-made formats). */

/** @param iso an ISO-8601 instant; @returns e.g. "5 Dec 2026, 10:31" (en) or "5 déc. 2026, 10:31" (fr) */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—'
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

/**
 * @param micros an amount in USD micros (1 USD = 1,000,000), as the finance APIs give it; null = unpriced
 * @returns e.g. "$1,234.50" (en) or "1 234,50 $US" (fr); null → "—" (unpriced is never shown as $0)
 */
export function formatUsdMicros(micros: number | null | undefined, locale: string): string {
  if (micros === null || micros === undefined) return '—'
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 6 })
    .format(micros / 1_000_000)
}
