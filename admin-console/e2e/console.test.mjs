// End-to-end test of the admin console in Debian's Chromium (playwright-core, never a downloaded
// browser), against a running stack. Run by system-tests' AdminConsoleE2ETest; by hand:
//   CONSOLE_URL=http://localhost:3000 ADMIN_USER=platform-admin ADMIN_PASSWORD=... npm run e2e
// Environment: CONSOLE_URL, ADMIN_USER, ADMIN_PASSWORD, TENANT_NAME (a fresh name), KEY_NAME,
// KEY_PREFIX (llmp_), SCREENSHOT_DIR (where each page's PNG goes), CHROMIUM (/usr/bin/chromium).
// Prints "E2E <name>=<value>" lines the JUnit test checks against the APIs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { env, signIn, withBrowser } from './lib.mjs'

const url = env('CONSOLE_URL')
const tenantName = env('TENANT_NAME', `E2E tenant ${Date.now()}`)
const keyName = env('KEY_NAME', 'console-key')
const keyPrefix = env('KEY_PREFIX', 'llmp_')

test('a platform admin signs in, creates a tenant, issues and revokes a key, reads French, signs out', () => withBrowser('en-GB', async (page, shot) => {
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
}, { name: 'platform-admin', permissions: ['clipboard-read', 'clipboard-write'] }))

test('a tenant admin sees its tenant only and issues a key there', { skip: !process.env.TA_USER }, () => withBrowser('en-US', async (page, shot) => {
  const taTenant = env('TA_TENANT_NAME')
  await signIn(page, env('TA_USER'), env('TA_PASSWORD'))
  // the menu follows the role assignments: its tenant's keys, no Platform pages
  await page.getByText(`Tenant ${taTenant}`).waitFor()
  assert.equal(await page.getByRole('link', { name: 'Tenants', exact: true }).count(), 0)
  await page.getByRole('link', { name: 'API keys', exact: true }).click()
  await page.getByRole('heading', { name: `API keys of ${taTenant}` }).waitFor()
  await page.getByLabel('New key name').fill('ta-key')
  await page.getByRole('button', { name: 'Issue key' }).click()
  const secret = await page.getByRole('dialog', { name: 'Your new API key' }).getByLabel('API key secret').inputValue()
  assert.ok(secret.startsWith(keyPrefix))
  if (process.env.PLAYGROUND_MODEL) await playground(page, shot, secret, taTenant)
  else await page.getByRole('button', { name: 'I have copied it' }).click()
  await page.getByRole('link', { name: 'API keys', exact: true }).click()
  await page.getByTestId('api-keys').locator('tr', { hasText: 'ta-key' }).waitFor({ timeout: 10_000 })
  await shot('09-tenant-admin-keys')
  console.log('E2E tenantAdminDone=true')
}, { name: 'tenant-admin' }))

/**
 * The "call" step of issue #13 without a terminal: from the show-once dialog to the Playground with
 * the new key (in memory), a streamed and a plain call through the edge to the simulator, a refusal
 * shown with the edge's error message, then the calls' usage in Finance. Environment:
 * PLAYGROUND_MODEL (a route of the tenant), PLAYGROUND_MESSAGE, PLAYGROUND_ANSWER (the simulator's
 * answer to it), PLAYGROUND_PROMPT_TOKENS, PLAYGROUND_COMPLETION_TOKENS.
 */
async function playground(page, shot, secret, tenantName) {
  const model = env('PLAYGROUND_MODEL')
  await page.getByRole('button', { name: 'Try it in the playground' }).click()
  await page.getByRole('heading', { name: 'Playground' }).waitFor()
  await page.getByTestId('key-handed').waitFor()
  assert.equal(await page.locator('#pg-key').inputValue(), secret, 'the new key is filled in')
  assert.equal(await page.locator('#pg-key').getAttribute('type'), 'password', 'the key is a password field')
  assert.ok(!page.url().includes(secret), 'the key is not in the URL')
  assert.ok(!(await page.evaluate(() => JSON.stringify(window.localStorage) + JSON.stringify(window.sessionStorage))).includes(secret),
    'the key is in no storage')
  assert.match(await page.getByTestId('playground-tenant').innerText(), new RegExp(tenantName))
  // the edge learns of a new key within its snapshot poll: ask for the key's models until it answers
  const keyModels = page.getByRole('button', { name: 'Models of this key' })
  const listed = page.getByTestId('key-models')
  for (let i = 0; i < 40; i++) {
    await keyModels.click()
    await page.getByTestId('playground-refusal').or(listed).waitFor({ timeout: 10_000 })
    if (await listed.count() > 0) break
    await page.waitForTimeout(250)
  }
  assert.match(await listed.innerText(), /in the list/, 'the edge knows the new key')
  await page.getByTestId('playground-model').locator('.p-select-dropdown').click()
  await page.getByRole('option', { name: model, exact: true }).click()
  assert.equal(await page.locator('#pg-model').inputValue(), model)
  await page.getByLabel('Message').fill(env('PLAYGROUND_MESSAGE'))

  // streamed (the default): tokens as they arrive, then the finish reason and the usage chunk
  assert.equal(await page.locator('#pg-stream').isChecked(), true)
  for (const streamed of [true, false]) {
    if (!streamed) await page.locator('#pg-stream').uncheck()
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByTestId('playground-finish').getByText('stop', { exact: true }).waitFor({ timeout: 15_000 })
    await page.getByTestId('playground-completion-tokens').getByText(env('PLAYGROUND_COMPLETION_TOKENS'), { exact: true }).waitFor()
    assert.equal(await page.getByTestId('playground-answer').innerText(), env('PLAYGROUND_ANSWER'), `the simulator's answer (stream ${streamed})`)
    assert.equal(await page.getByTestId('playground-prompt-tokens').innerText(), env('PLAYGROUND_PROMPT_TOKENS'))
    if (streamed) await shot('10-playground')
  }
  console.log(`E2E playgroundAnswer=${await page.getByTestId('playground-answer').innerText()}`)

  // a refusal: the edge's JSON error.message, with its status
  await page.locator('#pg-key').fill(`${secret.slice(0, -4)}zzzz`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const refusal = page.getByTestId('playground-refusal')
  await refusal.waitFor({ timeout: 15_000 })
  assert.match(await refusal.innerText(), /HTTP 401/)
  assert.match(await refusal.innerText(), /invalid_api_key/)
  assert.equal(await page.getByTestId('playground-result').count(), 0)
  await shot('11-playground-refused')

  // the two calls in Finance (FinanceReader of the tenant too): the usage projection follows Kafka, and the two
  // events may land in different polls, so re-read, bounded, until the row counts both (it showed 1 in a CI run)
  await page.getByRole('link', { name: `Finance · ${tenantName}` }).click()
  await page.getByRole('heading', { name: `Finance of ${tenantName}` }).waitFor()
  const row = page.getByTestId('usage-table').locator('tr', { hasText: model })
  const calls = async () => ((await row.count()) === 0 ? '' : (await row.first().locator('td').nth(2).innerText()).trim())
  for (let i = 0; i < 30 && (await calls()) !== '2'; i++) {
    await page.waitForTimeout(500)
    await page.getByRole('button', { name: 'Show', exact: true }).first().click()
  }
  await row.first().waitFor({ timeout: 5_000 })
  const cells = await row.first().locator('td').allInnerTexts()
  assert.equal(cells[2].trim(), '2', `two requests of ${model}: ${cells}`)
  assert.equal(cells[4].trim(), String(2 * Number(env('PLAYGROUND_COMPLETION_TOKENS'))), `completion tokens: ${cells}`)
  await shot('12-playground-usage-in-finance')
  console.log('E2E playgroundDone=true')
}
