// Role-based scenarios of the admin console (issue #13) in Debian's Chromium against a running
// stack; run by system-tests' AdminConsoleE2ETest (which provisions the users), or by hand with:
//   CONSOLE_URL=... ROLES_TENANT_ID=... ROLES_TENANT_NAME=... ROLE_TA_USER=... ROLE_TA_PASSWORD=...
//   ROLE_FIN_USER=... ROLE_FIN_PASSWORD=... ROLE_DEV_USER=... ROLE_DEV_PASSWORD=... node --test e2e/roles.test.mjs
// ROLE_TA_USER is TenantAdmin and Auditor of the tenant, ROLE_FIN_USER its FinanceReader (the tenant
// has usage, all unpriced), ROLE_DEV_USER one of its Developers. Prints "E2E <name>=<value>" lines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { consoleUrl, env, issueKey, signIn, withBrowser } from './lib.mjs'

const tenantId = () => env('ROLES_TENANT_ID')
const tenantName = () => env('ROLES_TENANT_NAME')
const keyPrefix = env('KEY_PREFIX', 'llmp_')
const TA_KEY = 'ta-roles-key'

/** Clicks Search until the log shows a row with `text` (the audit log lags the command a little): at most 40 × 250 ms. */
async function searchUntil(page, text) {
  const row = page.getByTestId('audit-log').locator('tr', { hasText: text })
  for (let i = 0; i < 40 && (await row.count()) === 0; i++) {
    await page.waitForTimeout(250)
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByTestId('audit-log').locator('.p-datatable-mask').waitFor({ state: 'detached' }).catch(() => {})
  }
  return row
}

test('a tenant admin issues a key, sees it once, revokes it, and finds both in the audit log under its own name', async () => {
  await withBrowser('en-GB', async (page, shot) => {
    const user = env('ROLE_TA_USER')
    await signIn(page, user, env('ROLE_TA_PASSWORD'))
    assert.equal(await page.getByRole('link', { name: 'Tenants', exact: true }).count(), 0, 'no Platform page')
    await page.getByRole('link', { name: 'API keys', exact: true }).click()
    await page.getByRole('heading', { name: `API keys of ${tenantName()}` }).waitFor()
    const { dialog, secret } = await issueKey(page, TA_KEY)
    assert.ok(secret.startsWith(keyPrefix), `the secret starts with ${keyPrefix}`)
    await shot('20-ta-key-shown-once')
    await dialog.getByRole('button', { name: 'I have copied it' }).click()
    await dialog.waitFor({ state: 'hidden' })
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is shown once only')
    const keyRow = page.getByTestId('api-keys').locator('tr', { hasText: TA_KEY })
    await keyRow.waitFor({ timeout: 10_000 })
    await keyRow.getByRole('button', { name: `Revoke ${TA_KEY}` }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke', exact: true }).click()
    await keyRow.getByText('Revoked').first().waitFor({ timeout: 10_000 })
    await shot('21-ta-key-revoked')

    // Compliance: the audit log, its own actions only
    await page.getByRole('link', { name: `Audit log · ${tenantName()}` }).click()
    await page.getByRole('heading', { name: `Audit log of ${tenantName()}` }).waitFor()
    await page.getByRole('button', { name: 'Only my actions' }).click()
    assert.equal(await page.getByLabel('Actor').inputValue(), `user:${user}`)
    const revoked = await searchUntil(page, 'ApiKeyRevoked')
    const issued = page.getByTestId('audit-log').locator('tr', { hasText: 'ApiKeyIssued' })
    assert.equal(await revoked.count(), 1)
    assert.equal(await issued.count(), 1)
    for (const row of [issued, revoked]) assert.ok((await row.innerText()).includes(`user:${user}`), 'under its own name')
    await shot('22-ta-audit-log')
    await page.getByRole('button', { name: 'Verify the chain' }).click()
    await page.getByTestId('verification').getByText(/The hash chains are intact/).waitFor()
    assert.equal(await page.getByTestId('broken-row').count(), 0)
    await shot('23-ta-audit-verified')

    // the key's history and its state now
    await revoked.getByRole('link', { name: /^History / }).click()
    await page.getByRole('heading', { name: `History of API key ${TA_KEY}` }).waitFor()
    const history = page.getByTestId('key-history')
    await history.locator('tr', { hasText: 'ApiKeyIssued' }).waitFor()
    await history.locator('tr', { hasText: 'ApiKeyRevoked' }).waitFor()
    await page.getByTestId('as-of-status').getByText('Revoked', { exact: true }).waitFor()
    // as of its issuance it was active
    await history.locator('tr', { hasText: 'ApiKeyIssued' }).getByRole('button').click()
    await page.getByTestId('as-of-status').getByText('Active', { exact: true }).waitFor()
    await shot('24-ta-key-history')
    console.log('E2E rolesTenantAdminDone=true')
  }, { name: 'roles-tenant-admin' })
})

test('a finance reader sees the usage chart, unpriced usage flagged, and cannot reach the keys page', async () => {
  await withBrowser('en-GB', async (page, shot) => {
    await signIn(page, env('ROLE_FIN_USER'), env('ROLE_FIN_PASSWORD'))
    // the menu offers Finance only
    assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0, 'no keys page in the menu')
    assert.equal(await page.getByRole('link', { name: /^Audit log/ }).count(), 0, 'no audit log in the menu')
    await page.getByRole('link', { name: `Finance · ${tenantName()}` }).click()
    await page.getByRole('heading', { name: `Finance of ${tenantName()}` }).waitFor()
    await page.getByTestId('tokens-chart').locator('canvas').waitFor()
    await page.getByTestId('cost-chart').locator('canvas').waitFor()
    const table = page.getByTestId('usage-table')
    await table.locator('tr', { hasText: 'gpt-4o' }).first().waitFor()
    const text = await table.innerText()
    assert.match(text, /Unpriced/, 'unpriced usage is flagged')
    assert.doesNotMatch(text, /\$0/, 'unpriced usage is never $0')
    await page.getByTestId('unpriced-note').waitFor()
    const box = await page.getByTestId('tokens-chart').locator('canvas').boundingBox()
    assert.ok(box && box.width > 100 && box.height > 100, 'the chart is drawn')
    await page.getByTestId('statement').waitFor()
    await page.getByTestId('reconciliation').waitFor()
    await shot('30-finance-usage')

    // the keys page by URL: guarded
    await page.goto(`${consoleUrl()}/tenants/${tenantId()}/api-keys`)
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
    assert.equal(await page.getByRole('button', { name: 'Issue key' }).count(), 0)
    await shot('31-finance-keys-forbidden')
    console.log('E2E rolesFinanceDone=true')
  }, { name: 'roles-finance' })
})

test('a developer issues its own key only, and sees no other key', async () => {
  await withBrowser('en-GB', async (page, shot) => {
    await signIn(page, env('ROLE_DEV_USER'), env('ROLE_DEV_PASSWORD'))
    assert.equal(await page.getByRole('link', { name: /^Finance/ }).count(), 0)
    assert.equal(await page.getByRole('link', { name: /^Audit log/ }).count(), 0)
    await page.getByRole('link', { name: 'API keys', exact: true }).click()
    await page.getByRole('heading', { name: `API keys of ${tenantName()}` }).waitFor()
    const { dialog, secret } = await issueKey(page, 'dev-own-key')
    assert.ok(secret.startsWith(keyPrefix))
    await dialog.getByRole('button', { name: 'I have copied it' }).click()
    await page.getByTestId('api-keys').locator('tr', { hasText: 'dev-own-key' }).waitFor({ timeout: 10_000 })
    assert.equal(await page.getByTestId('api-keys').locator('tr', { hasText: TA_KEY }).count(), 0, 'not the tenant admin’s key')
    await shot('40-dev-own-keys')
    console.log(`E2E devKeyPrefix=${secret.slice(0, keyPrefix.length + 6)}`)

    await page.goto(`${consoleUrl()}/tenants/${tenantId()}/audit`)
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
    await shot('41-dev-audit-forbidden')
    console.log('E2E rolesDeveloperDone=true')
  }, { name: 'roles-developer' })
})
