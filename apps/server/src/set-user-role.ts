// `npm run user:role -- <email> <role>`: gives an account a role (the only way to make the first
// admin). The account's sessions end, so no live token carries the old role: the user signs in
// again. Runs bundled as apps/server/dist/set-user-role.js.
import { ROLES, type Role } from '@tessera/contract';
import { runCommand } from './command-line';

const [email, role] = [process.argv[2], process.argv[3]];
const isRole = (value: string | undefined): value is Role => ROLES.some((known) => known === value);

runCommand('set the role', async (auth) => {
  if (!email || !isRole(role)) throw new Error(`usage: npm run user:role -- <email> <${ROLES.join('|')}>`);
  const user = await auth.setRole(email.trim().toLowerCase(), role);
  if (!user) throw new Error(`no account with the email ${email}`);
  return `${user.email} is now ${role}; their sessions have ended`;
});
