import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts'
import { ref } from 'vue'
import type { ConsoleConfig } from './config'
import { messageOf } from './format'

/**
 * Sign-in through Keycloak with oidc-client-ts: authorization code + PKCE on the public client,
 * tokens kept in session storage (gone with the tab), renewed quietly before they expire
 * (refresh token; a hidden iframe on `/silent-renew` otherwise), sign-out at Keycloak.
 */
let manager: UserManager | undefined

/** The signed-in user, or null. */
export const user = ref<User | null>(null)

export function createAuth(cfg: ConsoleConfig): UserManager {
  const origin = window.location.origin
  manager = new UserManager({
    authority: `${cfg.keycloakUrl.replace(/\/$/, '')}/realms/${encodeURIComponent(cfg.realm)}`,
    client_id: cfg.clientId,
    redirect_uri: `${origin}/callback`,
    post_logout_redirect_uri: `${origin}/`,
    silent_redirect_uri: `${origin}/silent-renew`,
    response_type: 'code',
    scope: 'openid profile email',
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  })
  manager.events.addUserLoaded((u) => { user.value = u })
  manager.events.addUserUnloaded(() => { user.value = null })
  manager.events.addAccessTokenExpired(() => { user.value = null })
  return manager
}

export function auth(): UserManager {
  if (!manager) throw new Error('auth is not created yet')
  return manager
}

/** Loads the stored user (if its token is still valid). */
export async function restoreUser(): Promise<User | null> {
  const stored = await auth().getUser()
  user.value = stored && !stored.expired ? stored : null
  return user.value
}

/**
 * Why the last sign-in or sign-out could not reach Keycloak (its discovery document or its pages),
 * shown by the console's header; null when the last attempt left for Keycloak.
 */
export const authError = ref<string | null>(null)

/**
 * Sends the browser to Keycloak; comes back on `/callback`, then to `returnTo`. Never rejects: when
 * Keycloak cannot be reached, the browser stays and {@link authError} says why.
 */
export async function signIn(returnTo: string): Promise<void> {
  authError.value = null
  try {
    await auth().signinRedirect({ state: { returnTo } })
  } catch (e) {
    authError.value = messageOf(e)
  }
}

/** @returns where to go after the callback */
export async function completeSignIn(): Promise<string> {
  const signedIn = await auth().signinRedirectCallback()
  user.value = signedIn
  const state = signedIn.state as { returnTo?: string } | undefined
  return state?.returnTo && state.returnTo.startsWith('/') ? state.returnTo : '/'
}

/**
 * Ends the Keycloak session and comes back signed out. The console forgets the user first, so when
 * Keycloak cannot be reached the person is signed out here all the same and {@link authError} says
 * that Keycloak's session may remain. Never rejects.
 */
export async function signOut(): Promise<void> {
  const current = user.value
  authError.value = null
  try {
    await auth().removeUser()
    await auth().signoutRedirect({ id_token_hint: current?.id_token })
  } catch (e) {
    user.value = null
    authError.value = messageOf(e)
  }
}

/** @returns the current access token; throws when signed out */
export function accessToken(): string {
  if (!user.value) throw new Error('not signed in')
  return user.value.access_token
}
