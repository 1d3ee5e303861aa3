import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/** The API server during development (`npm run dev` in apps/server). */
const apiOrigin = 'http://localhost:3000';

/**
 * In production the server serves this app, so the page and `/trpc` share one origin. In
 * development the page comes from Vite, and the API refuses sign-in and refresh calls whose
 * Origin is not its own (CSRF defence). A request that is same-origin to Vite is same-origin to
 * the app as a whole, so the proxy restates its Origin as the API's; any other Origin (a
 * cross-site attempt) is passed on untouched and still refused.
 */
const trpcProxy: ProxyOptions = {
  target: apiOrigin,
  configure(proxy) {
    proxy.on('proxyReq', (proxyReq, req) => {
      const { origin, host } = req.headers;
      if (origin !== undefined && host !== undefined && origin === `http://${host}`) {
        proxyReq.setHeader('origin', apiOrigin);
      }
    });
  },
};

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/trpc': trpcProxy } },
  preview: { proxy: { '/trpc': trpcProxy } },
  build: { outDir: 'dist' },
});
