// `npm run keys:rotate [-- --revoke]`: makes a new signing key now (after a suspected leak, or by
// policy). Running servers learn of it at once (announced on PostgreSQL, read with the revocations
// on SQLite), and sign with it within a minute whatever happens. The old key's tokens stay valid
// until they expire, but none it signed after its retirement (plus that minute and the clock
// tolerance) is accepted. With --revoke, every older key is distrusted at once: its tokens are
// refused as expired, so clients refresh onto the new key. Runs bundled as
// apps/server/dist/rotate-signing-key.js.
import { z } from 'zod';
import { runCommand } from './command-line';

const USAGE = 'usage: npm run keys:rotate [-- --revoke]';
const args = z.union([z.tuple([]), z.tuple([z.literal('--revoke')])]).safeParse(process.argv.slice(2));

runCommand('rotate the signing key', async (auth) => {
  if (!args.success) throw new Error(USAGE);
  const revoke = args.data.length > 0;
  const { kid, revoked } = await auth.rotateSigningKey({ revoke });
  if (!revoke) return `new signing key ${kid}`;
  const which = revoked.length > 0 ? revoked.join(', ') : 'none';
  return `new signing key ${kid}; revoked ${which}: their tokens are refused now, and clients refresh onto the new key`;
});
