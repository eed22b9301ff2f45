/** Dates and money in the console's locale, with Intl (never hand-made formats); the text of a thrown value. */

/** @returns an Error's message, else the thrown value as text */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * @param language the console's language (`en`, `fr`)
 * @param preferred the browser's languages, most preferred first
 * @returns the first preferred tag of that language (`en-GB` gives British dates), else `language`
 */
export function intlLocale(language: string, preferred: readonly string[] = navigator.languages ?? []): string {
  return preferred.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language
}

/** @param iso an ISO-8601 instant; @returns e.g. "5 Dec 2026, 10:31" (en) or "5 déc. 2026, 10:31" (fr) */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—'
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

/**
 * @param micros an amount in USD micros (1 USD = 1,000,000), as the finance APIs give it; null = unpriced
 * @returns e.g. "$1,234.50" (en) or "1 234,50 $US" (fr); null → "—" (unpriced is never shown as $0)
 */
export function formatUsdMicros(micros: number | null | undefined, locale: string): string {
  if (micros === null || micros === undefined) return '—'
  return new Intl.NumberFormat(intlLocale(locale), { style: 'currency', currency: 'USD', maximumFractionDigits: 6 })
    .format(micros / 1_000_000)
}

/** @param day a UTC day `yyyy-MM-dd`; @returns e.g. "5 Dec 2026" (en-GB) or "5 déc. 2026" (fr); null → "—" */
export function formatDay(day: string | null | undefined, locale: string): string {
  if (!day) return '—'
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`))
}

/** @param n a count (tokens, calls); @returns it with the locale's grouping, e.g. "12,345" (en) or "12 345" (fr) */
export function formatCount(n: number | null | undefined, locale: string): string {
  if (n === null || n === undefined) return '—'
  return new Intl.NumberFormat(intlLocale(locale)).format(n)
}

/**
 * @param usd a decimal string of USD (e.g. a price per million tokens, "2.50"); null = none
 * @returns e.g. "$2.50" (en) or "2,50 $US" (fr), up to 6 decimals; null → "—"
 */
export function formatUsdPerMillion(usd: string | null | undefined, locale: string): string {
  if (usd === null || usd === undefined || usd === '') return '—'
  return new Intl.NumberFormat(intlLocale(locale), { style: 'currency', currency: 'USD', minimumFractionDigits: 2,
    maximumFractionDigits: 6 }).format(Number(usd))
}
