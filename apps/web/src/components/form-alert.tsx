/** The id inputs point `aria-describedby` at when the alert is about them. */
export const FORM_ALERT_ID = 'form-alert';

/**
 * The form's error message. `role="alert"` makes screen readers announce it the moment it
 * appears; render it only when there is something to say. It can take focus (not by Tab), so a
 * failed submit can leave the keyboard here, inside the form.
 */
export function FormAlert({ message }: { message: string }) {
  return (
    <div id={FORM_ALERT_ID} className="alert" role="alert" tabIndex={-1}>
      {message}
    </div>
  );
}
