// Peer: the classic Node session design. Express 5 + express-session with a SQLite store
// (better-sqlite3-session-store, DATABASE_FILE) or a PostgreSQL one (connect-pg-simple on a `pg`
// pool, DATABASE_URL), `GET /me` answering the user kept in the session. Each request reads the
// session row and, as express-session does for a store with `touch`, writes its expiry.

import createSqliteStore from 'better-sqlite3-session-store';
import createPgStore from 'connect-pg-simple';
import express from 'express';
import session from 'express-session';
import { openPool } from './postgres.mjs';
import { openDatabase } from './sqlite.mjs';

const pool = openPool(process.env.DATABASE_URL);
const store = pool
  ? new (createPgStore(session))({ pool, createTableIfMissing: true })
  : new (createSqliteStore(session))({ client: openDatabase(process.env.DATABASE_FILE) });
const app = express();
app.disable('x-powered-by');
app.use(
  session({
    store,
    secret: process.env.SESSION_SECRET ?? 'bench-only-secret-bench-only-secret',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 3_600_000 },
  }),
);
// The benchmark signs in once to get its cookie; no password, as the lookup is what is measured.
app.post('/login', (req, res) => {
  req.session.user = { id: 'u1', email: 'bench@example.com', name: null, role: 'user' };
  res.json({ ok: true });
});
app.get('/me', (req, res) => {
  if (!req.session.user) return res.status(401).json({ error: 'UNAUTHORIZED' });
  res.json(req.session.user);
});

const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.stdout.write(`listening on ${process.env.PORT}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
