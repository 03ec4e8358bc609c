/** One server-and-clients fixture for the node suites: everything it opens is closed after each test. */
import { afterEach } from 'node:test';
import type { SessionServer, SessionServerOptions } from '../../src/server/index.js';
import type { Session } from '../../src/server/session.js';
import { RawClient, startServer } from './support.js';

export function serverFixture() {
  const open: SessionServer[] = [];
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of open.splice(0)) await s.close();
  });
  return async function setup(options: SessionServerOptions = {}) {
    const { server, url } = await startServer(options);
    open.push(server);
    const sessions: Session[] = [];
    server.on('session', (s) => sessions.push(s));
    const errors: string[] = [];
    server.on('error', (e) => errors.push(e.message));
    const client = (headers?: Record<string, string>) => {
      const c = new RawClient(options.path ? url.replace(/\/$/, options.path) : url, headers);
      clients.push(c);
      return c;
    };
    const track = (c: RawClient) => (clients.push(c), c);
    return { server, url, client, sessions, errors, track, open };
  };
}
