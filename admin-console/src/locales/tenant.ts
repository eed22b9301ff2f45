/** Messages of the Tenant pages (users, quotas, content capture, key rotation); en and fr. */
const en = {
  nav: { users: 'Users', quotas: 'Quotas' },
  users: { title: 'Users of {tenant}', email: 'E-mail', role: 'Role', created: 'Added', identity: 'Sign-in account', actions: 'Actions',
    add: 'Add user', newEmail: 'New user’s e-mail', newRole: 'Role', remove: 'Remove', empty: 'No user yet.',
    confirmRemove: 'Remove {email}? Their API keys are revoked.', changeRole: 'Role of {email}', removed: 'Removed',
    roles: { TenantAdmin: 'Tenant admin', Developer: 'Developer', Reader: 'Reader' } },
  quotas: { title: 'Quotas of {tenant}', level: 'Level', subject: 'Applies to', tenantLevel: 'Tenant', userLevel: 'User',
    keyLevel: 'API key', limit: 'Limit', usedNow: 'Used this month', edit: 'Set limits', save: 'Save limits', cancel: 'Cancel',
    none: 'no limit', empty: 'No quota set: nothing is limited.', editing: 'Limits of {subject}',
    usedHelp: 'Used this month: tokens and cost of the calls since the 1st of this month (UTC), from the usage ledger; per-minute and per-day counters live in the gateway and are not shown.',
    requestsPerMinute: 'Requests / minute', requestsPerDay: 'Requests / day', tokensPerMinute: 'Tokens / minute',
    tokensPerDay: 'Tokens / day', tokensPerMonth: 'Tokens / month', maxConcurrentRequests: 'Concurrent requests',
    monthlySpendLimitUsd: 'Monthly spend (USD)', saved: 'Limits saved', unpriced: '{n} unpriced calls (cost unknown)' },
  capture: { title: 'Content capture', help: 'Store prompt and completion text, masked, in this tenant’s audit log.',
    on: 'Turn capture on', off: 'Turn capture off', turnedOn: 'Content capture is on', turnedOff: 'Content capture is off' },
  rotate: { rotate: 'Rotate', grace: 'Old secret valid for (hours)', rotated: 'Rotated: the old secret works until {until}',
    title: 'Rotate key {name}' },
}

const fr: typeof en = {
  nav: { users: 'Utilisateurs', quotas: 'Quotas' },
  users: { title: 'Utilisateurs de {tenant}', email: 'Courriel', role: 'Rôle', created: 'Ajouté le', identity: 'Compte de connexion',
    actions: 'Actions', add: 'Ajouter l’utilisateur', newEmail: 'Courriel du nouvel utilisateur', newRole: 'Rôle', remove: 'Retirer',
    empty: 'Aucun utilisateur pour l’instant.', confirmRemove: 'Retirer {email} ? Ses clés d’API sont révoquées.',
    changeRole: 'Rôle de {email}', removed: 'Retiré',
    roles: { TenantAdmin: 'Administrateur du locataire', Developer: 'Développeur', Reader: 'Lecteur' } },
  quotas: { title: 'Quotas de {tenant}', level: 'Niveau', subject: 'S’applique à', tenantLevel: 'Locataire', userLevel: 'Utilisateur',
    keyLevel: 'Clé d’API', limit: 'Limite', usedNow: 'Consommé ce mois-ci', edit: 'Fixer les limites', save: 'Enregistrer les limites',
    cancel: 'Annuler', none: 'sans limite', empty: 'Aucun quota : rien n’est limité.', editing: 'Limites de {subject}',
    usedHelp: 'Consommé ce mois-ci : jetons et coût des appels depuis le 1er du mois (UTC), d’après le registre d’usage ; les compteurs par minute et par jour vivent dans la passerelle et ne sont pas affichés.',
    requestsPerMinute: 'Requêtes / minute', requestsPerDay: 'Requêtes / jour', tokensPerMinute: 'Jetons / minute',
    tokensPerDay: 'Jetons / jour', tokensPerMonth: 'Jetons / mois', maxConcurrentRequests: 'Requêtes simultanées',
    monthlySpendLimitUsd: 'Dépense mensuelle (USD)', saved: 'Limites enregistrées', unpriced: '{n} appels sans prix (coût inconnu)' },
  capture: { title: 'Capture du contenu', help: 'Conserver le texte des invites et des réponses, masqué, dans le journal d’audit du locataire.',
    on: 'Activer la capture', off: 'Désactiver la capture', turnedOn: 'La capture du contenu est activée',
    turnedOff: 'La capture du contenu est désactivée' },
  rotate: { rotate: 'Renouveler', grace: 'Ancien secret valable (heures)', rotated: 'Renouvelée : l’ancien secret fonctionne jusqu’au {until}',
    title: 'Renouveler la clé {name}' },
}

export const tenantMessages = { en, fr }
