import { beforeEach, describe, expect, it } from 'vitest'
import type { User } from 'oidc-client-ts'
import { authError, createAuth, signIn, signOut, user } from './auth'

// Keycloak unreachable: a port where nothing listens on this machine (discard, 9), so oidc-client-ts
// cannot fetch the realm's discovery document
const DISCOVERY = 'http://127.0.0.1:9/realms/llmproxy/.well-known/openid-configuration'
const unreachable = {
  keycloakUrl: 'http://127.0.0.1:9', realm: 'llmproxy', clientId: 'llmproxy-admin-ui',
  commandApiUrl: 'http://127.0.0.1:5001', queryApiUrl: 'http://127.0.0.1:5002',
}

describe('signing in and out while Keycloak cannot be reached', () => {
  beforeEach(() => {
    // browsers have window.stop, which oidc-client-ts calls when it abandons a redirect; happy-dom lacks it,
    // and its TypeError would otherwise hide the reason under test
    window.stop = () => {}
    createAuth(unreachable)
    authError.value = null
    user.value = null
  })

  it('sign-in stays on the page and says why, instead of doing nothing', async () => {
    await expect(signIn('/platform/tenants')).resolves.toBeUndefined()
    expect(authError.value).toContain(DISCOVERY)
    expect(authError.value).toContain('ECONNREFUSED')
    expect(user.value).toBeNull()
  })

  it('a second attempt clears the last reason first, then gives its own', async () => {
    authError.value = 'an earlier reason'
    await signIn('/')
    expect(authError.value).not.toContain('an earlier reason')
    expect(authError.value).toContain(DISCOVERY)
  })

  it('sign-out forgets the user here all the same and says Keycloak was not reached', async () => {
    user.value = { access_token: 'token', id_token: 'id', profile: { sub: 'u1' } } as unknown as User
    await expect(signOut()).resolves.toBeUndefined()
    expect(user.value).toBeNull()
    expect(authError.value).toContain(DISCOVERY)
    expect(authError.value).toContain('ECONNREFUSED')
  })
})
