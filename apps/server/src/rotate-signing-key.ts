// `npm run keys:rotate`: makes a new signing key now (after a suspected leak, or by policy). Tokens
// signed with the old key stay valid until they expire; every running server signs with the new
// key within a minute. Runs bundled as apps/server/dist/rotate-signing-key.js.
import { runCommand } from './command-line';

runCommand('rotate the signing key', async (auth) => {
  const before = new Set((await auth.jwks()).keys.map((key) => key.kid));
  await auth.rotateSigningKey();
  const added = (await auth.jwks()).keys.find((key) => !before.has(key.kid));
  return `new signing key ${added?.kid ?? '(none)'}`;
});
