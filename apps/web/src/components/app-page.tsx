import { type ReactNode, useRef } from 'react';
import { useFocusOnArrival } from '../lib/use-focus-on-arrival';

/** Props of {@link AppPage}. */
export interface AppPageProps {
  /** The page's heading and document title. */
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
}

/**
 * A signed-in page inside the app shell: its heading, then its content on one surface as wide as
 * a reader can follow (the shell's header carries the navigation and the way out).
 *
 * @example
 * <AppPage title="Sessions" subtitle="Devices signed in to your account.">…</AppPage>
 */
export function AppPage({ title, subtitle, children }: AppPageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnArrival(heading);
  return (
    <>
      <title>{`${title} · Tessera`}</title>
      <div className="app-page-heading">
        <h1 id="page-title" className="page-title" ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {subtitle === undefined ? null : <p className="page-subtitle">{subtitle}</p>}
      </div>
      <section className="panel" aria-labelledby="page-title">
        {children}
      </section>
    </>
  );
}
