/** Messages of the Compliance pages: audit log, chain verification, a key's history and as-of (en and fr). */
const en = {
  audit: {
    title: 'Audit log of {tenant}', from: 'From', to: 'To', eventType: 'Event type', actor: 'Actor',
    apiKeyId: 'API key id', source: 'Source', anySource: 'Any source', admin: 'Administration', usage: 'Usage',
    search: 'Search', clear: 'Clear', mine: 'Only my actions', exportCsv: 'Export CSV', exportNdjson: 'Export JSON lines',
    occurredAt: 'When', seq: 'Chain position', data: 'Details', empty: 'No audit row matches.',
    previous: 'Previous page', next: 'Next page', page: 'Page {n}', history: 'History',
    verify: 'Verify the chain', verifyOk: 'The hash chains are intact: {rows} rows checked in {ms} ms.',
    verifyBroken: 'The chain is broken at the {source} row {seq}: {reason}. {rows} rows were checked before it.',
    brokenRow: 'Broken row', expected: 'expected hash', stored: 'stored hash',
  },
  keyHistory: {
    title: 'History of API key {key}', back: 'Back to the audit log', time: 'Instant', asOf: 'Show its state',
    stateAt: 'State at {time}', status: 'Key status', tenantStatus: 'Tenant status', usable: 'Usable',
    yes: 'Yes', no: 'No', name: 'Name', owner: 'Owner', prefix: 'Key prefix', expiresAt: 'Expires',
    allowedModels: 'Allowed models', allModels: 'All models', quota: 'Effective quota', lastChange: 'Last change',
    NOT_ISSUED: 'Not issued yet', ACTIVE: 'Active', REVOKED: 'Revoked', EXPIRED: 'Expired', SUSPENDED: 'Suspended',
  },
}

const fr: typeof en = {
  audit: {
    title: 'Journal d’audit de {tenant}', from: 'Du', to: 'Au', eventType: 'Type d’événement', actor: 'Auteur',
    apiKeyId: 'Identifiant de clé d’API', source: 'Source', anySource: 'Toutes les sources', admin: 'Administration', usage: 'Consommation',
    search: 'Rechercher', clear: 'Effacer', mine: 'Mes actions seulement', exportCsv: 'Exporter en CSV', exportNdjson: 'Exporter en JSON lines',
    occurredAt: 'Quand', seq: 'Position dans la chaîne', data: 'Détails', empty: 'Aucune ligne d’audit ne correspond.',
    previous: 'Page précédente', next: 'Page suivante', page: 'Page {n}', history: 'Historique',
    verify: 'Vérifier la chaîne', verifyOk: 'Les chaînes de hachage sont intactes : {rows} lignes vérifiées en {ms} ms.',
    verifyBroken: 'La chaîne est rompue à la ligne {source} {seq} : {reason}. {rows} lignes ont été vérifiées avant.',
    brokenRow: 'Ligne rompue', expected: 'hachage attendu', stored: 'hachage enregistré',
  },
  keyHistory: {
    title: 'Historique de la clé d’API {key}', back: 'Retour au journal d’audit', time: 'Instant', asOf: 'Afficher son état',
    stateAt: 'État au {time}', status: 'Statut de la clé', tenantStatus: 'Statut du locataire', usable: 'Utilisable',
    yes: 'Oui', no: 'Non', name: 'Nom', owner: 'Propriétaire', prefix: 'Préfixe de la clé', expiresAt: 'Expire le',
    allowedModels: 'Modèles autorisés', allModels: 'Tous les modèles', quota: 'Quota effectif', lastChange: 'Dernier changement',
    NOT_ISSUED: 'Pas encore émise', ACTIVE: 'Active', REVOKED: 'Révoquée', EXPIRED: 'Expirée', SUSPENDED: 'Suspendu',
  },
}

export const complianceMessages = { en, fr }
