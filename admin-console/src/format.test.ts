import { describe, expect, it } from 'vitest'
import { formatCount, formatDateTime, formatDay, formatUsdMicros, intlLocale } from './format'

describe('format', () => {
  it('takes the browser tag of the chosen language, else the language', () => {
    expect(intlLocale('en', ['fr-CA', 'en-GB'])).toBe('en-GB')
    expect(intlLocale('fr', ['fr-CA', 'en-GB'])).toBe('fr-CA')
    expect(intlLocale('fr', ['de-DE'])).toBe('fr')
  })

  it('formats an instant in the locale, and nothing as a dash', () => {
    const iso = '2026-12-05T10:31:00Z'
    expect(formatDateTime(iso, 'fr')).toBe(new Intl.DateTimeFormat('fr', { dateStyle: 'medium', timeStyle: 'short' })
      .format(new Date(iso)))
    expect(formatDateTime(iso, 'fr')).toMatch(/déc\. 2026/)
    expect(formatDateTime(iso, 'en')).toMatch(/Dec 2026|Dec 5, 2026/)
    expect(formatDateTime(null, 'en')).toBe('—')
  })

  it('formats USD micros as money in the locale; unpriced is never $0', () => {
    expect(formatUsdMicros(1_234_500_000, 'en')).toBe('$1,234.50')
    expect(formatUsdMicros(1_234_500_000, 'fr').replace(/\s/g, ' ')).toBe('1 234,50 $US')
    expect(formatUsdMicros(1, 'en')).toBe('$0.000001')
    expect(formatUsdMicros(null, 'en')).toBe('—')
  })
})

describe('format of days and counts', () => {
  it('formats a UTC day and a count in the locale', () => {
    expect(formatDay('2026-12-05', 'en-US')).toBe('Dec 5, 2026')
    expect(formatDay('2026-12-05', 'fr')).toBe('5 déc. 2026')
    expect(formatDay(null, 'fr')).toBe('—')
    expect(formatCount(1234567, 'en')).toBe('1,234,567')
    expect(formatCount(1234567, 'fr').replace(/\s/g, ' ')).toBe('1 234 567')
  })
})
