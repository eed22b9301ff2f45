// Shared helpers of the console's browser tests (e2e/*.test.mjs): environment, Debian's Chromium
// through playwright-core (never a downloaded browser), Keycloak sign-in, screenshots.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

/** @returns the environment variable `name`, else `fallback`; throws when neither is there */
export const env = (name, fallback) => {
  const value = process.env[name] ?? fallback
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

/** the console's URL, e.g. http://localhost:3000 */
export const consoleUrl = () => env('CONSOLE_URL')

/** where each page's PNG goes (SCREENSHOT_DIR, default target/screenshots), created */
export function screenshotDir() {
  const dir = env('SCREENSHOT_DIR', 'target/screenshots')
  mkdirSync(dir, { recursive: true })
  return dir
}

/**
 * Runs `work(page, shot)` in a fresh headless Chromium (CHROMIUM, default /usr/bin/chromium) with
 * the browser language `locale`; `shot(name)` saves a full-page PNG `<name>.png` (animations finished). Closes the browser.
 * `options.permissions`: permissions granted to the console's origin (e.g. clipboard-read).
 * When `work` throws, the page is kept as `failure-<name>.png` and its URL and text are printed (API
 * key secrets masked) before the error goes on, so a failed run says which page it stood on.
 */
export async function withBrowser(locale, work, options = {}) {
  const browser = await chromium.launch({ executablePath: env('CHROMIUM', '/usr/bin/chromium'), headless: true })
  try {
    const context = await browser.newContext({ locale, viewport: { width: 1400, height: 900 }, acceptDownloads: true })
    if (options.permissions) await context.grantPermissions(options.permissions, { origin: new URL(consoleUrl()).origin })
    const page = await context.newPage()
    page.on('console', (m) => { if (m.type() === 'error') console.log(`browser console: ${m.text()}`) })
    const dir = screenshotDir()
    const shot = (name) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true, animations: 'disabled' })
    try {
      await work(page, shot)
    } catch (e) {
      await describeFailure(page, dir, options.name ?? 'test')
      throw e
    }
  } finally {
    await browser.close()
  }
}

/** Prints where `page` stood when a step failed, and saves it as `failure-<name>.png` in `dir`; never throws. */
async function describeFailure(page, dir, name) {
  const mask = (text) => text.replace(/llmp_[A-Za-z0-9_-]{8,}/g, (k) => `${k.slice(0, 11)}…(masked)`)
  try {
    const file = join(dir, `failure-${name.replace(/[^A-Za-z0-9-]+/g, '-')}.png`)
    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 })
    const text = await page.locator('body').innerText({ timeout: 5_000 })
    console.log(`E2E failure page=${page.url()} screenshot=${file}\n${mask(text).slice(0, 4000)}`)
  } catch (e) {
    console.log(`E2E failure page=${page.url()} (not described: ${e.message})`)
  }
}

/** Signs in from the console's home page at Keycloak (authorization code + PKCE) and waits to be back, signed in. */
export async function signIn(page, username, password) {
  const url = consoleUrl()
  await page.goto(url)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(/\/realms\/.*\/protocol\/openid-connect\/auth/)
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.locator('#kc-login').click()
  await page.waitForURL(`${url}/`)
  await page.getByTestId('signed-in-as').getByText(`Signed in as ${username}`).waitFor()
}

/** Issues a key named `name` on the open API keys page; @returns its secret (shown once), after closing the dialog */
export async function issueKey(page, name) {
  await page.getByLabel('New key name').fill(name)
  await page.getByRole('button', { name: 'Issue key' }).click()
  const dialog = page.getByRole('dialog', { name: 'Your new API key' })
  await dialog.waitFor()
  const secret = await dialog.getByLabel('API key secret').inputValue()
  return { dialog, secret }
}
