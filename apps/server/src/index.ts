export { type AppRouter, appRouter, type RouterInputs, type RouterOutputs } from './app-router';
export { type Env, EnvError, loadEnv } from './env';
export { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH } from './refresh-cookie';
export { BODY_LIMIT_BYTES, buildServer } from './server';
export { type RunningServer, type StartServerOptions, startServer } from './start-server';
