import { createI18n } from 'vue-i18n'
import { financeMessages } from './locales/finance'
import { complianceMessages } from './locales/compliance'
import { platformMessages } from './locales/platform'
import { tenantMessages } from './locales/tenant'
import { playgroundMessages } from './locales/playground'

/** The console's languages: English and French, chosen from the browser's, switchable (kept in localStorage). */
export const LOCALES = ['en', 'fr'] as const
export type Locale = (typeof LOCALES)[number]

const en = {
  app: { title: 'LLM Proxy console', language: 'Language', signIn: 'Sign in', signOut: 'Sign out',
    signedInAs: 'Signed in as {name}', loading: 'Loading…', noRoles: 'You hold no role in LLM Proxy. Ask a platform administrator for one.',
    welcome: 'Choose a page in the menu.', signInPrompt: 'Sign in with your LLM Proxy account to manage tenants and keys.',
    authUnreachable: 'The sign-in server (Keycloak) cannot be reached. Try again in a moment, or ask your administrator.' },
  nav: { platform: 'Platform', tenants: 'Tenants', tenant: 'Tenant {name}', apiKeys: 'API keys' },
  tenants: { title: 'Tenants', name: 'Name', id: 'Tenant id', status: 'Status', created: 'Created', actions: 'Actions',
    newName: 'New tenant name', create: 'Create tenant', suspend: 'Suspend', reactivate: 'Reactivate', keys: 'API keys',
    ACTIVE: 'Active', SUSPENDED: 'Suspended', empty: 'No tenant yet.', created_ok: 'Tenant {name} created' },
  keys: { title: 'API keys of {tenant}', name: 'Name', prefix: 'Key prefix', status: 'Status', created: 'Created',
    revokedAt: 'Revoked', actions: 'Actions', newName: 'New key name', issue: 'Issue key', revoke: 'Revoke',
    ACTIVE: 'Active', REVOKED: 'Revoked', EXPIRED: 'Expired', empty: 'No API key yet.',
    shownOnce: 'Your new API key', shownOnceHelp: 'Copy it now: it is shown only once and cannot be retrieved later.',
    secret: 'API key secret', cancel: 'Cancel', copy: 'Copy', copied: 'Copied', done: 'I have copied it',
    confirmRevoke: 'Revoke key {name}? Calls with it will be refused.' },
  error: { title: 'The request was refused' },
}

const fr: typeof en = {
  app: { title: 'Console LLM Proxy', language: 'Langue', signIn: 'Se connecter', signOut: 'Se déconnecter',
    signedInAs: 'Connecté en tant que {name}', loading: 'Chargement…', noRoles: 'Vous n’avez aucun rôle dans LLM Proxy. Demandez-en un à un administrateur de la plateforme.',
    welcome: 'Choisissez une page dans le menu.', signInPrompt: 'Connectez-vous avec votre compte LLM Proxy pour gérer les locataires et les clés.',
    authUnreachable: 'Le serveur de connexion (Keycloak) est injoignable. Réessayez dans un instant ou adressez-vous à votre administrateur.' },
  nav: { platform: 'Plateforme', tenants: 'Locataires', tenant: 'Locataire {name}', apiKeys: 'Clés d’API' },
  tenants: { title: 'Locataires', name: 'Nom', id: 'Identifiant du locataire', status: 'Statut', created: 'Créé le', actions: 'Actions',
    newName: 'Nom du nouveau locataire', create: 'Créer le locataire', suspend: 'Suspendre', reactivate: 'Réactiver', keys: 'Clés d’API',
    ACTIVE: 'Actif', SUSPENDED: 'Suspendu', empty: 'Aucun locataire pour l’instant.', created_ok: 'Locataire {name} créé' },
  keys: { title: 'Clés d’API de {tenant}', name: 'Nom', prefix: 'Préfixe de la clé', status: 'Statut', created: 'Créée le',
    revokedAt: 'Révoquée le', actions: 'Actions', newName: 'Nom de la nouvelle clé', issue: 'Émettre une clé', revoke: 'Révoquer',
    ACTIVE: 'Active', REVOKED: 'Révoquée', EXPIRED: 'Expirée', empty: 'Aucune clé d’API pour l’instant.',
    shownOnce: 'Votre nouvelle clé d’API', shownOnceHelp: 'Copiez-la maintenant : elle n’est affichée qu’une fois et ne pourra plus être lue.',
    secret: 'Secret de la clé d’API', cancel: 'Annuler', copy: 'Copier', copied: 'Copiée', done: 'Je l’ai copiée',
    confirmRevoke: 'Révoquer la clé {name} ? Les appels qui l’utilisent seront refusés.' },
  error: { title: 'La requête a été refusée' },
}

const STORAGE_KEY = 'llmproxy.console.locale'

/** @returns the stored choice, else the first browser language we speak, else English */
export function initialLocale(): Locale {
  const stored = window.localStorage.getItem(STORAGE_KEY)
  if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale
  for (const language of navigator.languages ?? [navigator.language]) {
    const base = language.toLowerCase().split('-')[0]
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale
  }
  return 'en'
}

export const i18n = createI18n({ legacy: false, locale: initialLocale(), fallbackLocale: 'en', messages: {
  en: { ...en, ...financeMessages.en, ...complianceMessages.en, ...platformMessages.en, ...tenantMessages.en,
    ...playgroundMessages.en,
    nav: { ...en.nav, ...platformMessages.en.nav, ...tenantMessages.en.nav, ...playgroundMessages.en.nav } },
  fr: { ...fr, ...financeMessages.fr, ...complianceMessages.fr, ...platformMessages.fr, ...tenantMessages.fr,
    ...playgroundMessages.fr,
    nav: { ...fr.nav, ...platformMessages.fr.nav, ...tenantMessages.fr.nav, ...playgroundMessages.fr.nav } },
} })

/** Switches the language, remembers it, and sets `<html lang>`. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  window.localStorage.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}
