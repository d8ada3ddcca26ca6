// A token server as Express users write it: a JWT signed HS256 with jose, sent back in
// `Authorization: Bearer`. Stateless: logout is the client forgetting the token.
import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { authenticate, createTable, errors, port, register } from './users.js';

const secret = new TextEncoder().encode(process.env.JWT_SECRET ?? randomBytes(32).toString('hex'));
const ISSUER = 'authlab-node';
const AUDIENCE = 'authlab';
const ACCESS_TTL = '15m';

await createTable();
const app = express();
app.use(express.json());

async function requireToken(req, res, next) {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  if (scheme !== 'Bearer' || !token) {
    return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthenticated' });
  }
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    req.user = { username: payload.sub, roles: payload.roles };
    next();
  } catch {
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'invalid_token' });
  }
}

app.get('/health', (req, res) => res.json({ status: 'ok', variant: 'token' }));
app.post('/register', register);

app.post('/login', async (req, res) => {
  const user = await authenticate(req.body?.username, req.body?.password);
  if (!user) return res.status(401).json({ error: 'invalid_credentials' });
  const accessToken = await new SignJWT({ roles: user.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.username)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(ACCESS_TTL)
    .sign(secret);
  res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: 900 });
});

app.get('/me', requireToken, (req, res) => res.json(req.user));

// Nothing to end on the server: the token stays valid until its exp.
app.post('/logout', requireToken, (req, res) => res.status(204).end());

app.use(errors);
app.listen(port(), '127.0.0.1', () => console.log(`token server on 127.0.0.1:${port()}`));
