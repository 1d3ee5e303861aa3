import type { ReactNode } from 'react';
import { ModalDialog } from './modal-dialog';

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  /** The question, e.g. "Sign out everywhere?": the dialog's accessible name. */
  title: string;
  /** What will happen, in a sentence: the dialog's accessible description. */
  children: ReactNode;
  /** The confirming button's label, naming the action ("Revoke session"). */
  confirmLabel: string;
  onConfirm(): void;
  /** Cancel, Escape, or the dialog closing any other way. */
  onCancel(): void;
}

/**
 * Asks once before something that cannot be undone, in a {@link ModalDialog}. Focus starts on
 * Cancel, so Enter alone never destroys anything. Render it only while asking.
 *
 * @example
 * {asking ? <ConfirmDialog title="Sign out everywhere?" confirmLabel="Sign out all devices" … /> : null}
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  return (
    <ModalDialog title={title} description={children} onCancel={onCancel}>
      <div className="dialog-actions">
        {/* biome-ignore lint/a11y/noAutofocus: a modal dialog must put focus inside; Cancel is the safe place. */}
        <button type="button" className="button button-secondary" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
}
