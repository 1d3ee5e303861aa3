import type { Deleter } from '@tessera/auth';
import type { Context } from './context';
import type { Feature } from './feature';

/**
 * Deletes an account everywhere: the core's part first (it may refuse: the last admin), which
 * ends every session at once, then each feature's rows through its `deleteUserData`. A feature
 * that fails is logged and the next still runs; the account's row, deleted a day later, takes
 * what is left with it (the features' foreign keys cascade).
 *
 * @example
 * await deleteAccountEverywhere(ctx, features, { owner: caller, confirmEmail: input.confirmEmail });
 */
export async function deleteAccountEverywhere(ctx: Context, features: readonly Feature[], deleter: Deleter) {
  const { userId } = await ctx.auth.deleteAccount(deleter);
  for (const feature of features) {
    try {
      await feature.account.deleteUserData(ctx.stores, userId);
    } catch (error) {
      ctx.log.error(
        { err: error, event: 'account_deletion_incomplete', feature: feature.migrations.name, userId },
        'a feature could not delete a deleted account’s rows; they go when housekeeping deletes the account',
      );
    }
  }
  ctx.log.info({ event: 'account_deleted', userId }, 'account deleted');
  return { userId };
}
