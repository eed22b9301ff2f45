/** Messages of the Playground page (a call to the edge with a pasted API key); en and fr. */
const en = {
  nav: { playground: 'Playground' },
  playground: {
    title: 'Playground', help: 'Call the gateway as a client would: with an API key, in the OpenAI format. The key stays in this page’s memory only.',
    tenant: 'Tenant', model: 'Model', modelHelp: 'A route of the tenant or a global one; or type a model name.',
    keyModels: 'Models of this key', keyModelCount: 'no model | 1 model in the list | {n} models in the list', apiKey: 'API key', apiKeyHelp: 'Paste a key (llmp_…). It is never stored.',
    message: 'Message', stream: 'Stream the answer', send: 'Send', stop: 'Stop', answer: 'Answer', finishReason: 'Finish reason',
    promptTokens: 'Prompt tokens', completionTokens: 'Completion tokens', totalTokens: 'Total tokens',
    refused: 'The gateway refused the call (HTTP {status})', unreachable: 'The gateway could not be reached at {url}: {message}',
    handed: 'The key you just issued is filled in.', edge: 'Gateway', tryIt: 'Try it in the playground',
    noEdge: 'No gateway URL is configured for this console (config.json "edgeUrl"): nothing can be sent.',
  },
}

const fr: typeof en = {
  nav: { playground: 'Bac à sable' },
  playground: {
    title: 'Bac à sable', help: 'Appelez la passerelle comme le ferait un client : avec une clé d’API, au format OpenAI. La clé ne reste que dans la mémoire de cette page.',
    tenant: 'Locataire', model: 'Modèle', modelHelp: 'Une route du locataire ou une route globale ; ou saisissez un nom de modèle.',
    keyModels: 'Modèles de cette clé', keyModelCount: 'aucun modèle | 1 modèle dans la liste | {n} modèles dans la liste', apiKey: 'Clé d’API', apiKeyHelp: 'Collez une clé (llmp_…). Elle n’est jamais enregistrée.',
    message: 'Message', stream: 'Réponse en flux', send: 'Envoyer', stop: 'Arrêter', answer: 'Réponse', finishReason: 'Motif de fin',
    promptTokens: 'Jetons de l’invite', completionTokens: 'Jetons de la réponse', totalTokens: 'Jetons au total',
    refused: 'La passerelle a refusé l’appel (HTTP {status})', unreachable: 'La passerelle est injoignable à {url} : {message}',
    handed: 'La clé que vous venez d’émettre est renseignée.', edge: 'Passerelle', tryIt: 'Essayer dans le bac à sable',
    noEdge: 'Aucune URL de passerelle n’est configurée pour cette console (config.json « edgeUrl ») : rien ne peut être envoyé.',
  },
}

export const playgroundMessages = { en, fr }
