import { type ReactNode, useId, useLayoutEffect, useRef } from 'react';

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
 * Asks once before something that cannot be undone. A native modal `<dialog>`: the page behind
 * is inert, Tab stays inside, Escape cancels, and screen readers announce the title and the
 * sentence. Focus starts on Cancel, so Enter alone never destroys anything. Render it only
 * while asking.
 *
 * @example
 * {asking ? <ConfirmDialog title="Sign out everywhere?" confirmLabel="Sign out all devices" … /> : null}
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  // Layout effect: its cleanup closes the dialog while it is still in the document, so the
  // browser hands focus back to the button that opened it.
  useLayoutEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      onCancel={(event) => {
        // Escape: close through React's state, not behind its back.
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      <p id={descriptionId} className="dialog-text">
        {children}
      </p>
      <div className="dialog-actions">
        {/* biome-ignore lint/a11y/noAutofocus: a modal dialog must put focus inside; Cancel is the safe place. */}
        <button type="button" className="button button-secondary" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
