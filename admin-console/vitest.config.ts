import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// unit and component tests (src/**/*.test.ts, components mounted in happy-dom); the browser tests are e2e/*.test.mjs
export default defineConfig({
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- vitest 3 bundles its own vite types
  plugins: [vue() as any],
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
