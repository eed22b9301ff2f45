import { defineConfig } from 'vitest/config'

// unit and component tests (src/**/*.test.ts); the browser test is e2e/console.test.mjs
export default defineConfig({
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
