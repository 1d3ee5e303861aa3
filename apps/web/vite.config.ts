import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress';
import { reactRouterForProduction } from './react-router-for-production';

/**
 * Dev mode follows the server's configuration (turbo passes it through, see turbo.json): `/trpc`
 * goes to the API on `PORT`, so the page and the API share one origin, as in production (where
 * the server serves this app). Vite listens on `WEB_PORT`, and `strictPort` keeps it there: the
 * API's dev mode trusts exactly http://localhost:$WEB_PORT (its CSRF check), so another port
 * would have every sign-in refused.
 */
export const API_PORT = Number(process.env.PORT || 3000);
export const WEB_PORT = Number(process.env.WEB_PORT || 5173);

const proxy = { '/trpc': `http://localhost:${API_PORT}` };

export default defineConfig({
  plugins: [react(), reactRouterForProduction(), precompress()],
  server: { port: WEB_PORT, strictPort: true, proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    rolldownOptions: {
      output: {
        // What the first page needs (everything the entry imports statically) in the entry itself,
        // not in six chunks split by what the lazy pages share with it: the sign-in page is one
        // request and one gzip stream, about 2.5 kB smaller. The lazy pages import from the entry.
        codeSplitting: { groups: [{ name: 'first-page', tags: ['$initial'] }] },
      },
    },
  },
});
