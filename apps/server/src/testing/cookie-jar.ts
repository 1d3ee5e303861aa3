/**
 * A minimal browser stand-in for Node's fetch: remembers cookies from Set-Cookie and sends back
 * those whose Path matches, as a browser would. Enough to follow our one refresh cookie.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  /** The value of a cookie, or undefined. */
  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  set(name: string, value: string, path = '/'): void {
    this.cookies.set(name, { value, path });
  }

  clear(): void {
    this.cookies.clear();
  }

  /** The Cookie header a browser would send to `url`. */
  headerFor(url: string): string | undefined {
    const { pathname } = new URL(url);
    const pairs = [...this.cookies]
      .filter(([, cookie]) => pathname === cookie.path || pathname.startsWith(`${cookie.path.replace(/\/$/, '')}/`))
      .map(([name, cookie]) => `${name}=${cookie.value}`);
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  /** Applies a response's Set-Cookie headers; an expiry in the past deletes the cookie. */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      const attribute = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expires = attribute('expires');
      const maxAge = attribute('max-age');
      const expired =
        (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired) this.cookies.delete(name);
      else this.set(name, value, attribute('path') ?? '/');
    }
  }

  /** `fetch` that sends and stores cookies through this jar. */
  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init.headers);
    const cookie = this.headerFor(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(input, { ...init, headers });
    this.store(response);
    return response;
  };
}
