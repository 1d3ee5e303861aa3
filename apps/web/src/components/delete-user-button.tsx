import { useMutation } from '@tanstack/react-query';
import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { describeAccountRefusal } from '../lib/describe-account-refusal';
import { useStepUp } from '../lib/use-step-up';
import { useTRPC } from '../trpc';
import { ConfirmDialog } from './confirm-dialog';

/** Props of {@link DeleteUserButton}. */
export interface DeleteUserButtonProps {
  account: { id: string; email: string };
  /** Deleted: say so, and take the row away (the button goes with it). */
  onDeleted(email: string): void;
  /** Refused (no such account any more, the last admin): the server's sentence. */
  onRefused(message: string): void;
}

/**
 * The Admin page's "Delete" of one account: asked once, then a fresh proof if the last is old.
 * Deleting one's own account signs this browser out, as deleting it from the Account page does.
 */
export function DeleteUserButton({ account, onDeleted, onRefused }: DeleteUserButtonProps) {
  const { user } = useAuth();
  const trpc = useTRPC();
  const remove = useMutation(trpc.admin.users.delete.mutationOptions());
  const [asking, setAsking] = useState(false);
  const stepUp = useStepUp();

  const confirmDelete = () => {
    setAsking(false);
    remove.mutate(
      { userId: account.id },
      {
        onSuccess: () => onDeleted(account.email),
        onError: (error) => {
          if (!stepUp.refused(error, `delete ${account.email}`, confirmDelete)) {
            onRefused(describeAccountRefusal(error).message);
          }
        },
      },
    );
  };

  return (
    <>
      <button
        type="button"
        className="button button-secondary button-small"
        aria-label={`Delete ${account.email}`}
        disabled={remove.isPending}
        onClick={() => setAsking(true)}
      >
        Delete
      </button>
      {asking ? (
        <ConfirmDialog
          title={`Delete ${account.email}?`}
          confirmLabel="Delete account"
          onConfirm={confirmDelete}
          onCancel={() => setAsking(false)}
        >
          {account.id === user?.id
            ? 'This is your own account: it goes with everything in it, and you are signed out. This cannot be undone.'
            : 'The account goes with everything in it (notes, passkeys, activity), every session of theirs ends, and they are told by mail. This cannot be undone.'}
        </ConfirmDialog>
      ) : null}
      {stepUp.dialog}
    </>
  );
}
