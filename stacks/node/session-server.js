// A session server as Express users write it: express-session with its store in Redis
// (connect-redis), the session id in an HttpOnly cookie.
import { randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { authenticate, createTable, errors, port, register } from './users.js';

const redis = createClient({ url: process.env.REDIS_URL });
redis.on('error', (err) => console.error('redis', err.message));
await redis.connect();
await createTable();

const app = express();
app.use(express.json());
app.use(
  session({
    store: new RedisStore({ client: redis }),
    name: 'sid',
    secret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 30 * 60 * 1000 },
  }),
);

function requireLogin(req, res, next) {
  if (!req.session.user) return res.status(401).json({ error: 'unauthenticated' });
  next();
}

app.get('/health', (req, res) => res.json({ status: 'ok', variant: 'session' }));
app.post('/register', register);

app.post('/login', async (req, res) => {
  const user = await authenticate(req.body?.username, req.body?.password);
  if (!user) return res.status(401).json({ error: 'invalid_credentials' });
  // A fresh session id at every login (no fixation).
  req.session.regenerate((err) => {
    if (err) return res.status(503).json({ error: 'store_unavailable' });
    req.session.user = user;
    res.json({ username: user.username });
  });
});

app.get('/me', requireLogin, (req, res) => {
  res.json({ username: req.session.user.username, roles: req.session.user.roles });
});

app.post('/logout', requireLogin, (req, res) => {
  req.session.destroy((err) => {
    if (err) return res.status(503).json({ error: 'store_unavailable' });
    res.clearCookie('sid').status(204).end();
  });
});

app.use(errors);
app.listen(port(), '127.0.0.1', () => console.log(`session server on 127.0.0.1:${port()}`));
