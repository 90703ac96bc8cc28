import type { GatehouseConfig } from '../core/config.js';

/**
 * The first admin's password, framed so it stands apart from everything else a terminal shows.
 * It goes to stderr, never into the log stream: log shippers keep what they collect.
 *
 * @example
 * process.stderr.write(adminPasswordBlock('a-generated-password'));
 */
export function adminPasswordBlock(password: string): string {
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    '  gatehouse: first start. Created the user "admin" (staff) with the password:',
    '',
    `      ${password}`,
    '',
    '  It is shown once, here, and never logged. Change it with:',
    '      gatehouse changepassword admin',
    rule,
    '',
  ].join('\n');
}

/**
 * A first request that works exactly as printed with the configured schemes: Basic when it is
 * on, else a JWT or API-token obtain (an anonymous or session-only `GET /api/me/` answers 401 or
 * 403), else the account page. `<password>` is the one placeholder to fill in.
 *
 * @example
 * startupHint(config, 'http://127.0.0.1:8000', 'admin');
 */
export function startupHint(config: GatehouseConfig, url: string, username: string): string {
  const schemes = config.authentication;
  const body = `'{"username": "${username}", "password": "<password>"}'`;
  if (schemes.includes('basic')) return `try: curl -u '${username}:<password>' ${url}/api/me/`;
  if (schemes.includes('jwt'))
    return `try: curl -X POST ${url}/api/token/ -H 'content-type: application/json' -d ${body}`;
  if (schemes.includes('token'))
    return `try: curl -X POST ${url}/api-token-auth/ -H 'content-type: application/json' -d ${body}`;
  return `open ${url}/ in a browser to sign in`;
}

/** The address to reach a server bound to `host`: a wildcard bind is reached on loopback. */
export function reachableUrl(host: string, port: number): string {
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reach.includes(':') ? `[${reach}]` : reach}:${port}`;
}
