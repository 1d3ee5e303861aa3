// What a browser downloads: the sign-in page's JavaScript (the entry and what index.html
// preloads), and the auth packages' own code as an app bundles them. Sizes gzipped at level 9.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const WEB_DIST = new URL('../web/dist/', import.meta.url);
const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The JavaScript index.html loads before the sign-in page can render, or null if not built. */
export function signInPageJs() {
  const index = new URL('index.html', WEB_DIST);
  if (!existsSync(index)) return null;
  const html = readFileSync(index, 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
  const sizes = files.map((file) => ({ file, gzip: gzipped(readFileSync(new URL(file, WEB_DIST))) }));
  return { files: sizes, gzip: sizes.reduce((sum, { gzip }) => sum + gzip, 0) };
}

/**
 * `@tessera/auth-client` and `@tessera/auth-react` minified as an app's bundler would include
 * them: their own code, with what every tRPC React app has anyway (React, tRPC's client) left out.
 */
export async function authPackagesJs() {
  const result = await esbuild.build({
    stdin: {
      contents: "export * from '@tessera/auth-client'; export * from '@tessera/auth-react';",
      resolveDir: new URL('.', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external: ['react', 'react/*', '@trpc/client', '@trpc/server', '@trpc/server/*'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { raw: code.length, gzip: gzipped(code) };
}
