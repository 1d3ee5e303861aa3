export { type Env, EnvError, loadEnv } from './env';
export { BODY_LIMIT_BYTES, buildServer, MAX_BATCH_SIZE } from './server';
export { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH } from './refresh-cookie';
export { type RunningServer, startServer, type StartServerOptions } from './start-server';
