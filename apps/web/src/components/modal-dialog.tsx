import { type ReactNode, useId, useLayoutEffect, useRef } from 'react';

/** Props of {@link ModalDialog}. */
export interface ModalDialogProps {
  /** The dialog's accessible name, shown as its heading. */
  title: string;
  /** A sentence of what it is about: the dialog's accessible description. */
  description: ReactNode;
  /** Escape, or the dialog closing any other way. */
  onCancel(): void;
  /** What follows the description: buttons, a form. */
  children: ReactNode;
}

/**
 * A native modal `<dialog>`: the page behind is inert, Tab stays inside, Escape cancels, and
 * screen readers announce the title and the sentence. Render it only while it is open; put focus
 * inside with `autoFocus` on the element that should have it.
 *
 * @example
 * <ModalDialog title="Remove this passkey?" description="It will no longer sign in." onCancel={close}>…</ModalDialog>
 */
export function ModalDialog({ title, description, onCancel, children }: ModalDialogProps) {
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
        {description}
      </p>
      {children}
    </dialog>
  );
}
