import Bowser from 'bowser';

/**
 * "Chrome 156 on Linux" from a stored user agent, for people rather than parsers.
 *
 * @example
 * describeDevice('Mozilla/5.0 (X11; Linux x86_64) … Chrome/156.0.0.0 Safari/537.36'); // 'Chrome 156 on Linux'
 */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const parser = Bowser.getParser(userAgent);
  const browser = parser.getBrowserName();
  const major = parser.getBrowserVersion()?.split('.')[0];
  const os = parser.getOSName();
  const what = browser ? `${browser}${major ? ` ${major}` : ''}` : 'Unknown browser';
  return os ? `${what} on ${os}` : what;
}
