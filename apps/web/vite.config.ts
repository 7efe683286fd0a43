import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves the built app under /app (apps/api/src/web-app.ts); in dev mode Vite serves it
// there with hot reload and hands every other path to the API (`npm start` on port 3000).
const api = process.env.ROLLPLAN_API ?? 'http://localhost:3000';

export default defineConfig({
  base: '/app/',
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '^/(?!app(/|$))': { target: api, changeOrigin: false } },
  },
  build: {
    target: 'es2022',
    sourcemap: true,
  },
});
