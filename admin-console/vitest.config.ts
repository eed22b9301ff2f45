import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// unit and component tests (src/**/*.test.ts; .vue components compiled by the Vue plugin); the browser tests are e2e/*.test.mjs
export default defineConfig({
  plugins: [vue()],
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
