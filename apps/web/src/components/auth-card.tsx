import type { ReactNode } from 'react';

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
  return (
    <>
      <title>{`${title} · Tessera`}</title>
      <section className="card" aria-labelledby="card-title">
        <h1 id="card-title" className="card-title">
          {title}
        </h1>
        {subtitle === undefined ? null : <p className="card-subtitle">{subtitle}</p>}
        {children}
      </section>
      {footer === undefined ? null : <p className="card-footer">{footer}</p>}
    </>
  );
}
