import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The build is static files (dist/); config.json next to index.html is read at run time, so one
// build serves any deployment.
export default defineConfig({
  plugins: [vue()],
  server: { port: 3000, strictPort: true },
  preview: { port: 3000, strictPort: true },
})
