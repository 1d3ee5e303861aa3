import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `/trpc` goes to the API server so the page and the API share one origin, as in production
 * (where the server serves this app). The server's dev mode trusts exactly http://localhost:5173
 * (its CSRF check), hence `strictPort`: another port would have every sign-in refused.
 */
const proxy = { '/trpc': 'http://localhost:3000' };

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, proxy },
  preview: { proxy },
  build: { outDir: 'dist' },
});
