import { createApp } from 'vue'
import PrimeVue from 'primevue/config'
import ConfirmationService from 'primevue/confirmationservice'
import Aura from '@primeuix/themes/aura'
import 'primeicons/primeicons.css'
import App from './App.vue'
import { loadConfig } from './config'
import { createAuth, restoreUser } from './auth'
import { i18n, setLocale } from './i18n'
import { loadMe } from './session'
import { messageOf } from './format'

async function start(): Promise<void> {
  const cfg = await loadConfig()
  const auth = createAuth(cfg)
  if (window.location.pathname === '/silent-renew') {
    // the hidden iframe of a silent renewal (used when there is no refresh token)
    await auth.signinSilentCallback()
    return
  }
  const { router } = await import('./router')
  if ((await restoreUser()) !== null) {
    await loadMe()
  }
  setLocale(i18n.global.locale.value)
  createApp(App)
    .use(PrimeVue, { theme: { preset: Aura } })
    .use(ConfirmationService)
    .use(i18n)
    .use(router)
    .mount('#app')
}

start().catch((e: unknown) => {
  document.body.textContent = `The console cannot start: ${messageOf(e)}`
})
