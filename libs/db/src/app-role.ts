import { Client } from 'pg';

/** The group role of migration AppRole: what the API and the worker may do. */
export const APP_ROLE = 'rollplan_app';

/**
 * Makes (or updates) the login the API and the worker connect as: a member of `rollplan_app`,
 * nothing more. Run by the owner after migrations (`migrate` with APP_DATABASE_USER set, the
 * local stack, the test harness). Returns the URL the apps use.
 */
export async function ensureAppLogin(ownerUrl: string, user: string, password: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(user)) throw new Error(`APP_DATABASE_USER must be a plain role name, not ${JSON.stringify(user)}`);
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
    // A role name cannot be a bind parameter: it is checked above and quoted here.
    const quotedPassword = `'${password.replace(/'/g, "''")}'`;
    await client.query(`${exists.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE "${user}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${quotedPassword}`);
    await client.query(`GRANT ${APP_ROLE} TO "${user}"`);
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = user;
  url.password = password;
  return url.toString();
}
