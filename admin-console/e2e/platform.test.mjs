// End-to-end test of the console's Platform and Tenant pages in Debian's Chromium (playwright-core,
// never a downloaded browser), against a running stack. Run by system-tests' AdminConsoleE2ETest; by hand:
//   CONSOLE_URL=http://localhost:3000 ADMIN_USER=platform-admin ADMIN_PASSWORD=... node --test e2e/platform.test.mjs
// Environment: CONSOLE_URL, ADMIN_USER, ADMIN_PASSWORD (a PlatformAdmin), SCREENSHOT_DIR (where each
// page's PNG goes, default target/screenshots), CHROMIUM (/usr/bin/chromium).
// Prints "E2E <name>=<value>" lines the JUnit test checks against the APIs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { env, signIn, withBrowser } from './lib.mjs'

const suffix = Date.now().toString(36).toUpperCase()

test('a platform admin registers a provider, prices it, routes to it, and sets up a tenant', () => withBrowser('en-GB', async (page, shot) => {
  const choose = async (combobox, option) => {
    await combobox.click()
    await page.getByRole('option', { name: option, exact: true }).click()
  }

  await signIn(page, env('ADMIN_USER'), env('ADMIN_PASSWORD'))

  // Providers: register one; the write-only key is cleared and never shown
  const providerName = `E2E OpenAI ${suffix}`
  const secret = `sk-e2e-${suffix}-never-shown`
  await page.getByTestId('nav-providers').click()
  await page.getByRole('heading', { name: 'Providers' }).waitFor()
  await page.getByLabel('Name', { exact: true }).fill(providerName)
  await page.getByLabel('Base URL').fill('https://api.openai.example')
  await page.getByLabel('API key (write-only)').fill(secret)
  await page.getByRole('button', { name: 'Register provider' }).click()
  await page.getByTestId('providers').locator('tr', { hasText: providerName }).waitFor({ timeout: 10_000 })
  assert.equal(await page.getByLabel('API key (write-only)').inputValue(), '')
  assert.ok(!(await page.content()).includes(secret), 'the provider secret is nowhere on the page')
  const providerId = (await page.getByTestId('providers').locator('tr', { hasText: providerName }).locator('td').nth(3).innerText()).trim()
  console.log(`E2E providerId=${providerId}`)
  await shot('p01-providers')

  // Prices: one in force now, one from 2030 (a future price)
  await page.getByTestId('nav-prices').click()
  await page.getByRole('heading', { name: 'Prices' }).waitFor()
  for (const [input, effective] of [['0.15', ''], ['0.10', '2030-01-01T00:00']]) {
    await choose(page.getByTestId('price-provider'), providerName)
    await page.getByLabel('Model', { exact: true }).fill('gpt-4o-mini')
    await page.getByLabel('Input / M tokens (USD)', { exact: true }).fill(input)
    await page.getByLabel('Output / M tokens (USD)', { exact: true }).fill('0.60')
    if (effective) await page.getByLabel('Effective from').fill(effective)
    await page.getByRole('button', { name: 'Add price' }).click()
    await page.getByTestId('price-added').waitFor({ timeout: 10_000 })
  }
  const priceRows = page.getByTestId('prices').locator('tr', { hasText: providerName })
  await priceRows.filter({ hasText: 'Upcoming' }).waitFor({ timeout: 10_000 })
  assert.match(await priceRows.filter({ hasText: 'In force' }).innerText(), /\$0\.15/)
  await shot('p02-prices')

  // Global routes: a weighted route with a time-to-first-byte timeout and a fallback-free policy
  const model = `chat-e2e-${suffix.toLowerCase()}`
  await page.getByTestId('nav-routes').click()
  await page.getByRole('heading', { name: 'Global routes' }).waitFor()
  await page.getByTestId('new-route').click()
  const editor = page.getByTestId('route-editor')
  await editor.getByLabel('Model', { exact: true }).fill(model)
  await choose(editor.getByRole('combobox', { name: 'Provider' }), providerName)
  await editor.getByLabel('Provider model').fill('gpt-4o-mini')
  await editor.getByLabel('Weight').fill('3')
  await editor.getByLabel('Time to first byte (ms)').fill('5000')
  await editor.getByRole('button', { name: 'Save route' }).click()
  const routeRow = page.getByTestId('routes').locator('tr', { hasText: model })
  await routeRow.waitFor({ timeout: 10_000 })
  assert.match(await routeRow.innerText(), /×3/)
  assert.match(await routeRow.innerText(), /ttfb 5000 ms/)
  console.log(`E2E routeModel=${model}`)
  await shot('p03-routes')

  // Tenants: create, rename
  const tenantName = `E2E Platform ${suffix}`
  await page.getByTestId('nav-tenants').click()
  await page.getByLabel('New tenant name').fill(`${tenantName} draft`)
  await page.getByRole('button', { name: 'Create tenant' }).click()
  await page.getByRole('button', { name: `Rename ${tenantName} draft` }).click()
  await page.getByLabel(`New name of ${tenantName} draft`).fill(tenantName)
  await page.getByTestId('rename-tenant').getByRole('button', { name: 'Save' }).click()
  const tenantRow = page.getByTestId('tenants').locator('tr', { hasText: tenantName }).filter({ hasNotText: 'draft' })
  await tenantRow.waitFor({ timeout: 10_000 })
  const tenantId = (await tenantRow.locator('td').nth(1).innerText()).trim()
  console.log(`E2E platformTenantId=${tenantId}`)
  await shot('p04-tenants-renamed')

  // Users: add a developer
  await tenantRow.getByRole('link', { name: 'Users' }).click()
  await page.getByRole('heading', { name: `Users of ${tenantName}` }).waitFor()
  const email = `dev-${suffix.toLowerCase()}@e2e.test`
  await page.getByLabel('New user’s e-mail').fill(email)
  await page.getByRole('button', { name: 'Add user' }).click()
  await page.getByTestId('users').locator('tr', { hasText: email }).waitFor({ timeout: 10_000 })
  await shot('p05-users')

  // Quotas: a tenant limit beside this month's use; content capture on
  await page.getByTestId('nav-tenants').click()
  await page.getByTestId('tenants').locator('tr', { hasText: tenantName }).getByRole('link', { name: 'Quotas' }).click()
  await page.getByRole('heading', { name: `Quotas of ${tenantName}` }).waitFor()
  await page.getByRole('button', { name: `Set limits ${tenantName}` }).click()
  await page.getByTestId('quota-editor').getByLabel('Tokens / day').fill('100000')
  await page.getByRole('button', { name: 'Save limits' }).click()
  const quotaRow = page.getByTestId('quotas').locator('tr', { hasText: 'Tenant' }).first()
  await quotaRow.getByText('Tokens / day: 100,000').waitFor({ timeout: 10_000 })
  assert.match(await quotaRow.innerText(), /\b0\s+tokens\s+·\s+(US)?\$0\.00/)
  // content capture: the page shows the state it reads back (off until ever chosen), and offers only the other action
  await page.getByTestId('capture-state').getByText('Now: off (no text is stored)').waitFor({ timeout: 10_000 })
  assert.equal(await page.getByTestId('capture-off').isDisabled(), true)
  await page.getByTestId('capture-on').click()
  await page.getByText('Content capture is on').waitFor({ timeout: 10_000 })
  await page.getByTestId('capture-state').getByText('Now: on (text is stored, masked)').waitFor({ timeout: 10_000 })
  assert.equal(await page.getByTestId('capture-on').isDisabled(), true)
  await shot('p06-quotas')

  // API keys: issue one limited to a model, then rotate it with a 2-hour grace period
  await page.getByTestId('nav-tenants').click()
  await page.getByTestId('tenants').locator('tr', { hasText: tenantName }).getByRole('link', { name: 'API keys' }).click()
  await page.getByLabel('New key name').fill('rotating-key')
  await page.getByLabel('Allowed models').fill('gpt-4o-mini')
  await page.getByRole('button', { name: 'Issue key' }).click()
  const first = await page.getByRole('dialog', { name: 'Your new API key' }).getByLabel('API key secret').inputValue()
  await page.getByRole('button', { name: 'I have copied it' }).click()
  const keyRow = page.getByTestId('api-keys').locator('tr', { hasText: 'rotating-key' })
  await keyRow.waitFor({ timeout: 10_000 })
  assert.match(await keyRow.innerText(), /gpt-4o-mini/)
  await keyRow.getByRole('button', { name: 'Rotate rotating-key' }).click()
  await page.getByLabel('Old secret valid for (hours)').fill('2')
  await page.getByTestId('rotate-key').getByRole('button', { name: 'Rotate' }).click()
  const second = await page.getByRole('dialog', { name: 'Your new API key' }).getByLabel('API key secret').inputValue()
  assert.notEqual(second, first)
  await page.getByRole('button', { name: 'I have copied it' }).click()
  await page.getByTestId('key-notice').waitFor()
  assert.match(await page.getByTestId('key-notice').innerText(), /old secret works until/)
  await shot('p08-api-keys-rotated')

  // the tenant's own routes
  await page.getByTestId('nav-tenants').click()
  await page.getByTestId('tenants').locator('tr', { hasText: tenantName }).getByRole('link', { name: 'Routes' }).click()
  await page.getByRole('heading', { name: `Routes of ${tenantName}` }).waitFor()
  await shot('p07-tenant-routes')
  console.log('E2E platformDone=true')
}, { name: 'platform' }))
