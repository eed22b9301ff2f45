/** Messages of the Finance page, the Finance/Compliance menu entries and the "not allowed" page (en and fr). */
const en = {
  areas: { finance: 'Finance', audit: 'Audit log', forbidden: 'Not allowed',
    forbiddenText: 'Your roles do not allow you to open this page ({page}).', tenant: 'Tenant' },
  finance: {
    title: 'Finance of {tenant}', usage: 'Usage', from: 'From (UTC day)', to: 'To (UTC day)', groupBy: 'Group by',
    show: 'Show', groups: { model: 'Model', provider: 'Provider', user: 'User', apiKey: 'API key' },
    tokensChart: 'Tokens per day', costChart: 'Cost per day (USD)', table: 'Usage per day',
    day: 'Day', requests: 'Calls', promptTokens: 'Prompt tokens', completionTokens: 'Completion tokens',
    totalTokens: 'Tokens', cost: 'Cost', errors: 'Errors', empty: 'No usage in this period.',
    exportCsv: 'Export CSV', total: 'Total',
    unpriced: 'Unpriced', unpricedCalls: '{n} unpriced call | {n} unpriced calls',
    unpricedNote: '{n} call has no price: its cost is unknown and not counted in the cost. | {n} calls have no price: their cost is unknown and not counted in the cost.',
    statement: 'Monthly statement', month: 'Month', providerModel: 'Provider model', noLines: 'No call this month.',
    reconciliation: 'Reconciliation', matched: 'Billing matches the ledger on {days} tenant-day(s).',
    differs: '{n} tenant-day(s) differ between billing and the ledger.', differenceOf: 'billing − ledger',
  },
}

const fr: typeof en = {
  areas: { finance: 'Finances', audit: 'Journal d’audit', forbidden: 'Accès refusé',
    forbiddenText: 'Vos rôles ne vous permettent pas d’ouvrir cette page ({page}).', tenant: 'Locataire' },
  finance: {
    title: 'Finances de {tenant}', usage: 'Consommation', from: 'Du (jour UTC)', to: 'Au (jour UTC)', groupBy: 'Grouper par',
    show: 'Afficher', groups: { model: 'Modèle', provider: 'Fournisseur', user: 'Utilisateur', apiKey: 'Clé d’API' },
    tokensChart: 'Jetons par jour', costChart: 'Coût par jour (USD)', table: 'Consommation par jour',
    day: 'Jour', requests: 'Appels', promptTokens: 'Jetons d’entrée', completionTokens: 'Jetons de sortie',
    totalTokens: 'Jetons', cost: 'Coût', errors: 'Erreurs', empty: 'Aucune consommation sur cette période.',
    exportCsv: 'Exporter en CSV', total: 'Total',
    unpriced: 'Sans prix', unpricedCalls: '{n} appel sans prix | {n} appels sans prix',
    unpricedNote: '{n} appel n’a pas de prix : son coût est inconnu et n’est pas compté. | {n} appels n’ont pas de prix : leur coût est inconnu et n’est pas compté.',
    statement: 'Relevé mensuel', month: 'Mois', providerModel: 'Modèle du fournisseur', noLines: 'Aucun appel ce mois-ci.',
    reconciliation: 'Rapprochement', matched: 'La facturation concorde avec le registre sur {days} jour(s)-locataire.',
    differs: '{n} jour(s)-locataire diffèrent entre la facturation et le registre.', differenceOf: 'facturation − registre',
  },
}

export const financeMessages = { en, fr }
