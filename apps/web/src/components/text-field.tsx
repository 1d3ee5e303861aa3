import type { HTMLInputAutoCompleteAttribute, ReactNode } from 'react';
import type { FieldName, FormProblem } from '../lib/form-problem';
import { usePasteLimit } from '../lib/use-paste-limit';
import { FORM_ALERT_ID } from './form-alert';

/** Props of {@link TextField}. */
export interface TextFieldProps {
  /** Also the input's id, which the form uses to focus the field with a problem. */
  name: FieldName;
  /** The accessible name; tests and assistive technology rely on it verbatim. */
  label: string;
  type: 'email' | 'password' | 'text';
  autoComplete: HTMLInputAutoCompleteAttribute;
  /** The on-screen keyboard to show (`numeric` for a code). */
  inputMode?: 'numeric' | 'text';
  /** Whether the browser may check spelling (off for codes). */
  spellCheck?: boolean;
  value: string;
  onChange: (value: string) => void;
  /** The form's current problem; marks this input invalid when it names this field. */
  problem: FormProblem | null;
  required?: boolean;
  minLength?: number;
  /** The server's limit. A paste that would overflow it is pointed out, not silently cut. */
  maxLength?: number;
  /** Guidance shown under the input and linked to it (e.g. password rules). */
  hint?: ReactNode;
  onFocus?: () => void;
  /** Focus on mount: only for the one field a dialog opens to (a modal must put focus inside). */
  autoFocus?: boolean;
}

/** A labelled input with an optional hint, wired to the form's alert when it is at fault. */
export function TextField({ name, label, hint, problem, onChange, ...input }: TextFieldProps) {
  const { tooLong, ...pasteLimit } = usePasteLimit(input.maxLength);
  const invalid = problem?.field === name || tooLong;
  const hintId = `${name}-hint`;
  const tooLongId = `${name}-too-long`;
  const describedBy = [
    hint === undefined ? null : hintId,
    problem?.field === name || problem?.retryAt === name ? FORM_ALERT_ID : null,
    tooLong ? tooLongId : null,
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <div className="field">
      <label htmlFor={name} className="field-label">
        {label}
      </label>
      <input
        id={name}
        name={name}
        className="field-input"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        onChange={(event) => {
          pasteLimit.onChange(event.target.value);
          onChange(event.target.value);
        }}
        onPaste={pasteLimit.onPaste}
        {...input}
      />
      {tooLong ? (
        <p id={tooLongId} className="field-error" role="alert">
          {pastedTooMuch(label, input.maxLength)}
        </p>
      ) : null}
      {hint === undefined ? null : (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** What a field says when a paste was cut at its limit. */
export const pastedTooMuch = (label: string, maxLength: number | undefined) =>
  `${label} can be at most ${maxLength} characters: what you pasted was cut. Check it.`;
