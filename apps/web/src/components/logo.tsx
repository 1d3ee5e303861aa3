/** The Tessera mark: four tiles of a mosaic. Decorative; the wordmark next to it carries the name. */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" className="logo-ground" />
      <rect x="7" y="7" width="8" height="8" rx="2" className="logo-tile" />
      <rect x="17" y="7" width="8" height="8" rx="2" className="logo-tile logo-tile-soft" />
      <rect x="7" y="17" width="8" height="8" rx="2" className="logo-tile logo-tile-soft" />
      <rect x="17" y="17" width="8" height="8" rx="2" className="logo-tile" />
    </svg>
  );
}
