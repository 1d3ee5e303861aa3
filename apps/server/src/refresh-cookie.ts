import { DEFAULT_REFRESH_COOKIE } from '@tessera/api';

/**
 * The refresh cookie as this server mounts the auth router (app-router.ts: at `auth`, under
 * `/trpc`): its name and the one path it is sent to. The auth router owns it; these are for
 * tests and operators.
 */
export const REFRESH_COOKIE_NAME = DEFAULT_REFRESH_COOKIE.name;
export const REFRESH_COOKIE_PATH = DEFAULT_REFRESH_COOKIE.path;
