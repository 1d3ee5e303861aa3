import { type ReactNode, useEffect, useRef } from 'react';

/** Props of {@link AuthCard}. */
export interface AuthCardProps {
  /** The page's heading and document title. */
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  /** A line under the card, e.g. the link to the other auth page. */
  footer?: ReactNode;
}

/** The centred card every page sits in. */
export function AuthCard({ title, subtitle, children, footer }: AuthCardProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  // A new page (after sign-in, sign-up, sign-out, or a link) starts the keyboard and the screen
  // reader at its heading, unless something on it already holds focus.
  useEffect(() => {
    const focused = document.activeElement;
    if (focused === null || focused === document.body || !focused.isConnected) heading.current?.focus();
  }, []);

  return (
    <>
      <title>{`${title} · Tessera`}</title>
      <section className="card" aria-labelledby="card-title">
        <h1 id="card-title" className="card-title" ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {subtitle === undefined ? null : <p className="card-subtitle">{subtitle}</p>}
        {children}
      </section>
      {footer === undefined ? null : <p className="card-footer">{footer}</p>}
    </>
  );
}
