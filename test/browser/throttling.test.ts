import { expect } from '@open-wc/testing';
import type { StatusDetail } from '../../src/client/types.js';
import { clientOn, FakeClock } from './fake-clock.js';
import { cleanup, startSessionServer, waitUntil } from './helpers.js';

describe('a hidden tab under intensive timer throttling', () => {
  afterEach(cleanup);

  it('holds its session: timers a minute late cause no false heartbeat failure and no reconnect churn', async () => {
    const server = await startSessionServer({ pingIntervalMs: 600_000 });
    const clock = new FakeClock();
    clock.hidden = true;
    const { c, statuses } = clientOn(server.url, clock, {
      protocol: 'session',
      heartbeatInterval: '15000',
      heartbeatTimeout: '10000',
    });
    c.connect();
    await waitUntil(() => c.status === 'open');
    for (let minute = 1; minute <= 5; minute++) {
      const before = statuses.length;
      // Every timer due in the next 15 s fires a minute after its time; the socket itself stays live.
      clock.tickLate(15_000, 60_000);
      // Whatever the client sent to check the socket is answered at once by the live server (a deaf one fails this).
      await waitUntil(async () => (await server.sessions())[0]!.connected, `minute ${minute}: still attached`);
      await new Promise((r) => setTimeout(r, 50));
      clock.tickLate(0, 0);
      expect(
        statuses.slice(before).map((s: StatusDetail) => s.status),
        `minute ${minute}`,
      ).to.deep.equal([]);
    }
    expect(c.status).to.equal('open');
    expect((await server.stats()).connections, 'never reconnected').to.equal(1);
    c.dispose();
  });
});
