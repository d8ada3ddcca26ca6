// The user store both servers share: PostgreSQL through pg, argon2id through @node-rs/argon2
// (its defaults are OWASP's m=19 MiB, t=2, p=1).
import { hash, verify } from '@node-rs/argon2';
import pg from 'pg';

const USERNAME = /^[A-Za-z0-9_.-]{3,64}$/;

export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

export async function createTable() {
  await pool.query(`CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    roles TEXT[] NOT NULL DEFAULT '{user}'
  )`);
}

export function validCredentials(body) {
  const { username, password } = body ?? {};
  return typeof username === 'string' && USERNAME.test(username) &&
    typeof password === 'string' && password.length >= 8 && password.length <= 1024;
}

// 201 with the new user, or 409 when the name is taken.
export async function register(req, res) {
  if (!validCredentials(req.body)) {
    return res.status(422).json({ error: 'invalid_request' });
  }
  const { username, password } = req.body;
  try {
    await pool.query('INSERT INTO users (username, password_hash) VALUES ($1, $2)', [
      username,
      await hash(password),
    ]);
  } catch (err) {
    if (err.code === '23505') return res.status(409).json({ error: 'username_taken' });
    throw err;
  }
  res.status(201).json({ username });
}

// The user when the password is right, else null.
export async function authenticate(username, password) {
  const { rows } = await pool.query(
    'SELECT username, password_hash, roles FROM users WHERE username = $1',
    [username],
  );
  if (rows.length === 0) return null;
  const ok = await verify(rows[0].password_hash, password);
  return ok ? { username: rows[0].username, roles: rows[0].roles } : null;
}

export function port() {
  return Number(process.env.PORT ?? 3000);
}

// Bad JSON is the client's fault: a 400, never a 500 with a stack trace.
export function errors(err, req, res, next) {
  if (err.type === 'entity.parse.failed' || err.status === 400) {
    return res.status(400).json({ error: 'invalid_json' });
  }
  console.error(err);
  res.status(500).json({ error: 'internal' });
}
