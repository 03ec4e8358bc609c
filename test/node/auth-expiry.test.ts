// An expiry further ahead than setTimeout can count (2^31 - 1 ms, about 24.8 days): a JWT good for a month.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { delay, RawClient, startServer } from './support.js';

const DAY = 86_400_000;

describe('authenticate with a far expiry', () => {
  it('keeps the socket and asks for nothing, where an overflowing timer would close it with 4401 at once', async () => {
    const { server, url } = await startServer({
      authenticate: () => ({ user: 'ada', expiresAt: Date.now() + 30 * DAY }),
    });
    const c = new RawClient(url);
    try {
      await c.opened();
      c.send({ t: 'hello', v: 1, ack: 0, auth: 'month-long' });
      await c.next('welcome');
      // An overflowed timer fires after 1 ms; by the time a message has gone there and back, and a while
      // after, the socket would be closing.
      c.send({ t: 'ping' });
      await c.next('pong');
      await delay(200);
      assert.equal(c.ws.readyState, c.ws.OPEN);
      assert.deepEqual(
        c.frames.filter((f) => f.t === 'reauth'),
        [],
      );
    } finally {
      c.close();
      await server.close();
    }
  });
});
