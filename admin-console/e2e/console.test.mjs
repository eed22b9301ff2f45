// End-to-end test of the admin console in Debian's Chromium (playwright-core, never a downloaded
// browser), against a running stack. Run by system-tests' AdminConsoleE2ETest; by hand:
//   CONSOLE_URL=http://localhost:3000 ADMIN_USER=platform-admin ADMIN_PASSWORD=... npm run e2e
// Environment: CONSOLE_URL, ADMIN_USER, ADMIN_PASSWORD, TENANT_NAME (a fresh name), KEY_NAME,
// KEY_PREFIX (llmp_), SCREENSHOT_DIR (where each page's PNG goes), CHROMIUM (/usr/bin/chromium).
// Prints "E2E <name>=<value>" lines the JUnit test checks against the APIs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const url = env('CONSOLE_URL')
const tenantName = env('TENANT_NAME', `E2E tenant ${Date.now()}`)
const keyName = env('KEY_NAME', 'console-key')
const keyPrefix = env('KEY_PREFIX', 'llmp_')
const shots = env('SCREENSHOT_DIR', 'target/screenshots')
mkdirSync(shots, { recursive: true })

test('a platform admin signs in, creates a tenant, issues and revokes a key, reads French, signs out', async () => {
  const browser = await chromium.launch({ executablePath: env('CHROMIUM', '/usr/bin/chromium'), headless: true })
  try {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 900 } })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin })
    const page = await context.newPage()
    page.on('console', (m) => { if (m.type() === 'error') console.log(`browser console: ${m.text()}`) })
    const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })

    // 1. the home page, signed out: English from the browser's language; sign in at Keycloak
    await page.goto(url)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(/\/realms\/.*\/protocol\/openid-connect\/auth/)
    await shot('01-keycloak-sign-in')
    await page.locator('#username').fill(env('ADMIN_USER'))
    await page.locator('#password').fill(env('ADMIN_PASSWORD'))
    await page.locator('#kc-login').click()
    await page.waitForURL(`${url}/`)
    await assert.doesNotReject(page.getByTestId('signed-in-as').getByText(`Signed in as ${env('ADMIN_USER')}`).waitFor())
    await shot('02-home-signed-in')

    // 2. Platform → Tenants: create one, see it listed (the list is re-read until it shows it)
    await page.getByRole('link', { name: 'Tenants' }).click()
    await page.getByRole('heading', { name: 'Tenants' }).waitFor()
    await page.getByLabel('New tenant name').fill(tenantName)
    await page.getByRole('button', { name: 'Create tenant' }).click()
    const row = page.getByTestId('tenants').locator('tr', { hasText: tenantName })
    await row.waitFor({ timeout: 10_000 })
    assert.match(await row.innerText(), /Active/)
    const tenantId = (await row.locator('td').nth(1).innerText()).trim()
    assert.match(tenantId, /^[0-9a-f-]{36}$/)
    console.log(`E2E tenantId=${tenantId}`)
    await shot('03-tenants')

    // suspend and reactivate
    await row.getByRole('button', { name: `Suspend ${tenantName}` }).click()
    await row.getByText('Suspended').waitFor({ timeout: 10_000 })
    await row.getByRole('button', { name: `Reactivate ${tenantName}` }).click()
    await row.getByText('Active').waitFor({ timeout: 10_000 })

    // 3. Tenant → API keys: issue one, the secret is shown once, copy it
    await row.getByRole('link', { name: 'API keys' }).click()
    await page.getByRole('heading', { name: `API keys of ${tenantName}` }).waitFor()
    await page.getByLabel('New key name').fill(keyName)
    await page.getByRole('button', { name: 'Issue key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Your new API key' })
    await dialog.waitFor()
    const secret = await dialog.getByLabel('API key secret').inputValue()
    assert.ok(secret.startsWith(keyPrefix), `the secret starts with ${keyPrefix}`)
    assert.equal(secret.length, 48)
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click()
    await dialog.getByRole('button', { name: 'Copied', exact: true }).waitFor()
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret)
    await shot('04-key-shown-once')
    await dialog.getByRole('button', { name: 'I have copied it' }).click()
    await dialog.waitFor({ state: 'hidden' })
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone from the page')
    const keyRow = page.getByTestId('api-keys').locator('tr', { hasText: keyName })
    await keyRow.waitFor({ timeout: 10_000 })
    const keyText = await keyRow.innerText()
    assert.match(keyText, /Active/)
    assert.ok(keyText.includes(secret.slice(0, keyPrefix.length + 6)), 'the list shows the key prefix')
    console.log(`E2E keyPrefix=${secret.slice(0, keyPrefix.length + 6)}`)
    await shot('05-api-keys')

    // revoke (confirmed), the list shows it revoked
    await keyRow.getByRole('button', { name: `Revoke ${keyName}` }).click()
    const confirm = page.getByRole('alertdialog')
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click()
    await keyRow.getByText('Revoked').first().waitFor({ timeout: 10_000 })
    await shot('06-key-revoked')

    // 4. French: labels and dates in French
    await page.getByTestId('language').getByText('Français').click()
    await page.getByRole('heading', { name: `Clés d’API de ${tenantName}` }).waitFor()
    await page.getByRole('button', { name: 'Émettre une clé' }).waitFor()
    assert.match(await keyRow.innerText(), /Révoquée/)
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr')
    await shot('07-api-keys-fr')

    // 5. sign out: back on the console, signed out
    await page.getByRole('button', { name: 'Se déconnecter' }).click()
    await page.getByRole('button', { name: 'Se connecter', exact: true }).waitFor({ timeout: 15_000 })
    assert.equal(new URL(page.url()).origin, new URL(url).origin)
    assert.equal(await page.getByTestId('signed-in-as').count(), 0)
    await shot('08-signed-out')
    console.log('E2E done=true')
  } finally {
    await browser.close()
  }
})

test('a tenant admin sees its tenant only and issues a key there', { skip: !process.env.TA_USER }, async () => {
  const browser = await chromium.launch({ executablePath: env('CHROMIUM', '/usr/bin/chromium'), headless: true })
  try {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
    const taTenant = env('TA_TENANT_NAME')
    await page.goto(url)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.locator('#username').fill(env('TA_USER'))
    await page.locator('#password').fill(env('TA_PASSWORD'))
    await page.locator('#kc-login').click()
    await page.waitForURL(`${url}/`)
    // the menu follows the role assignments: its tenant's keys, no Platform pages
    await page.getByText(`Tenant ${taTenant}`).waitFor()
    assert.equal(await page.getByRole('link', { name: 'Tenants', exact: true }).count(), 0)
    await page.getByRole('link', { name: 'API keys', exact: true }).click()
    await page.getByRole('heading', { name: `API keys of ${taTenant}` }).waitFor()
    await page.getByLabel('New key name').fill('ta-key')
    await page.getByRole('button', { name: 'Issue key' }).click()
    const secret = await page.getByRole('dialog', { name: 'Your new API key' }).getByLabel('API key secret').inputValue()
    assert.ok(secret.startsWith(keyPrefix))
    await page.getByRole('button', { name: 'I have copied it' }).click()
    await page.getByTestId('api-keys').locator('tr', { hasText: 'ta-key' }).waitFor({ timeout: 10_000 })
    await shot('09-tenant-admin-keys')
    console.log('E2E tenantAdminDone=true')
  } finally {
    await browser.close()
  }
})
