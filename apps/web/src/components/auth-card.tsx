import { type ReactNode, useRef } from 'react';
import { useFocusOnArrival } from '../lib/use-focus-on-arrival';

/** Props of {@link AuthCard}. */
export interface AuthCardProps {
  /** The page's heading and document title. */
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  /** A line under the card, e.g. the link to the other auth page. */
  footer?: ReactNode;
}

/** The centred card the pages for signed-out visitors (sign-in, sign-up, mailed links) sit in. */
export function AuthCard({ title, subtitle, children, footer }: AuthCardProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnArrival(heading);

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
