// The no-auth baseline on Express, as the lab's own (servers/strategies/baseline.py): the
// same app with the credential check skipped. Login still verifies the password, but the
// "token" it hands out is the bare username, and GET /me takes any Bearer value at its word.
// It is the floor a Node server's credential check is measured from. Never deploy this.
import express from 'express';
import { authenticate, createTable, errors, port, register } from './users.js';

await createTable();
const app = express();
app.use(express.json());

app.get('/health', (req, res) => res.json({ status: 'ok', variant: 'baseline' }));
app.post('/register', register);

app.post('/login', async (req, res) => {
  const user = await authenticate(req.body?.username, req.body?.password);
  if (!user) return res.status(401).json({ error: 'invalid_credentials' });
  res.json({ access_token: user.username, token_type: 'Bearer' });
});

app.get('/me', (req, res) => {
  const [scheme, name] = (req.headers.authorization ?? '').split(' ');
  if (scheme !== 'Bearer' || !name) return res.status(401).json({ error: 'unauthenticated' });
  res.json({ username: name, roles: ['user'] });
});

app.use(errors);
app.listen(port(), '127.0.0.1', () => console.log(`baseline server on 127.0.0.1:${port()}`));
