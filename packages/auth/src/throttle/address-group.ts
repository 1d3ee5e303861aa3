import { isIPv6 } from 'node:net';

/**
 * The unit a client address is counted in. An IPv4 address is one client; an IPv6 client
 * usually holds a whole /64 and can pick any address in it, so IPv6 is counted per /64.
 * An IPv4 address written as IPv6 (`::ffff:203.0.113.7`) counts as the IPv4 address.
 *
 * @example
 * addressGroup('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * addressGroup('::ffff:203.0.113.7'); // '203.0.113.7'
 */
export function addressGroup(address: string): string {
  if (!isIPv6(address)) return address;
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  if (mapped?.[1]) return mapped[1];
  const hextets = expandIPv6(address.toLowerCase());
  return `${hextets
    .slice(0, 4)
    .map((part) => part.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The eight hextets of an IPv6 address, `::` filled in (an embedded IPv4 tail counts as two). */
function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0] ?? address;
  const [head = '', tail] = withoutZone.split('::');
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((piece) => {
          if (!piece.includes('.')) return [piece];
          const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...fill, ...right];
}
