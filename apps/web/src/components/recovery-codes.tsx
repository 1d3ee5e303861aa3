import { useEffect, useRef, useState } from 'react';

/** Props of {@link RecoveryCodes}. */
export interface RecoveryCodesProps {
  /** The codes, shown this once: the server keeps only their hashes. */
  codes: readonly string[];
  /** The owner has saved them: the list goes away for good. */
  onDone(): void;
}

/** The file the codes download as: one code a line, and what they are for. */
function codesFile(codes: readonly string[]): string {
  return [
    'Tessera recovery codes',
    'Each code signs you in once if you cannot use your authenticator app. Keep them somewhere safe.',
    '',
    ...codes,
    '',
  ].join('\n');
}

/**
 * New recovery codes, shown once: the list, "Copy codes", "Download codes" (a text file) and
 * "I have saved them". Focus moves to the list when it appears, so a screen reader reads it.
 */
export function RecoveryCodes({ codes, onDone }: RecoveryCodesProps) {
  const [copied, setCopied] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied('Codes copied.');
    } catch {
      setCopied('Copying was refused by the browser: select the codes and copy them, or download them.');
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([codesFile(codes)], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'tessera-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title" className="recovery-codes-title" tabIndex={-1} ref={heading}>
        Your recovery codes
      </h3>
      <p className="section-hint">
        Save these somewhere safe, such as a password manager. Each one signs you in once if you lose your phone. They
        will not be shown again.
      </p>
      <ol className="recovery-code-list" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="passkey-actions">
        <button type="button" className="button button-secondary" onClick={() => void copy()}>
          Copy codes
        </button>
        <button type="button" className="button button-secondary" onClick={download}>
          Download codes
        </button>
        <button type="button" className="button button-primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
      {copied === null ? null : (
        <p className="notice" role="status">
          {copied}
        </p>
      )}
    </section>
  );
}
