import { Fragment } from 'react';

/**
 * An email address that wraps where a reader expects: after a dot, before the @, after a hyphen
 * or underscore (`<wbr>`), never mid-word unless a single part is wider than the line
 * (`overflow-wrap: anywhere` in the stylesheet takes over then). The text itself is unchanged,
 * for copying and for screen readers.
 *
 * @example
 * <EmailAddress value="ada.lovelace@analytical-engine.example.com" />
 */
export function EmailAddress({ value }: { value: string }) {
  const parts = value.split(/(?<=[._-])|(?=@)/);
  return (
    <>
      {parts.map((part, index) => (
        // Parts of one fixed string: their position is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts never reorder.
        <Fragment key={index}>
          {index > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </>
  );
}
