import type { HTMLInputAutoCompleteAttribute } from 'react';
import type { FieldName, FormProblem } from '../lib/form-problem';
import { FORM_ALERT_ID } from './form-alert';

/** Props of {@link TextField}. */
export interface TextFieldProps {
  /** Also the input's id, which the form uses to focus the field with a problem. */
  name: FieldName;
  /** The accessible name; tests and assistive technology rely on it verbatim. */
  label: string;
  type: 'email' | 'password' | 'text';
  autoComplete: HTMLInputAutoCompleteAttribute;
  value: string;
  onChange: (value: string) => void;
  /** The form's current problem; marks this input invalid when it names this field. */
  problem: FormProblem | null;
  required?: boolean;
  minLength?: number;
  /** Guidance shown under the input and linked to it (e.g. password rules). */
  hint?: string;
}

/** A labelled input with an optional hint, wired to the form's alert when it is at fault. */
export function TextField({ name, label, hint, problem, onChange, ...input }: TextFieldProps) {
  const invalid = problem?.field === name;
  const hintId = `${name}-hint`;
  const describedBy = [hint === undefined ? null : hintId, invalid ? FORM_ALERT_ID : null].filter(Boolean).join(' ');

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
        onChange={(event) => onChange(event.target.value)}
        {...input}
      />
      {hint === undefined ? null : (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
