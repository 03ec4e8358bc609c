import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { originAllowed, type OriginPolicy } from '../../src/server/origin.js';

function req(headers: { origin?: string; host?: string }, url = '/'): IncomingMessage {
  return { headers, url } as unknown as IncomingMessage;
}

const allowed = (policy: OriginPolicy | undefined, origin: string | undefined, host = 'app.example:8080') =>
  originAllowed(policy, req(origin === undefined ? { host } : { origin, host }));

describe('originAllowed', () => {
  it('by default accepts clients without an Origin and pages on the same IP or localhost host (including the port)', () => {
    assert.equal(allowed(undefined, undefined), true);
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'app.localhost:8080', '[::1]:8080', '192.0.2.7:8080']) {
      assert.equal(allowed(undefined, `http://${host}`, host), true, host);
      assert.equal(allowed(undefined, `https://${host}`, host), true, host);
    }
    assert.equal(allowed(undefined, 'http://127.0.0.1:8081', '127.0.0.1:8080'), false);
    assert.equal(allowed(undefined, 'http://127.0.0.1', '127.0.0.1:8080'), false);
    assert.equal(allowed(undefined, 'http://localhost:8080', '127.0.0.1:8080'), false);
    assert.equal(allowed(undefined, 'http://127.0.0.1:8080.evil.example', '127.0.0.1:8080'), false);
  });

  it('by default refuses a same-host page on a domain name, which DNS rebinding could point at this server', () => {
    // evil.example resolved to 127.0.0.1: its page connects to ws://evil.example:8080 with Origin == Host.
    assert.equal(allowed(undefined, 'http://evil.example:8080', 'evil.example:8080'), false);
    assert.equal(allowed(undefined, 'https://app.example:8080'), false);
    assert.equal(allowed(undefined, 'http://localhost.evil.example:8080', 'localhost.evil.example:8080'), false);
    assert.equal(allowed(undefined, 'http://127.0.0.1.nip.example:8080', '127.0.0.1.nip.example:8080'), false);
    assert.equal(allowed(['https://app.example:8080'], 'https://app.example:8080'), true, 'unless listed');
  });

  it('refuses a function policy that answers anything but true', () => {
    assert.equal(
      originAllowed((() => 'yes') as unknown as OriginPolicy, req({ origin: 'https://a', host: 'h' })),
      false,
    );
  });

  it('by default refuses an opaque ("null") or unparsable Origin', () => {
    assert.equal(allowed(undefined, 'null'), false);
    assert.equal(allowed(undefined, 'not a url'), false);
    assert.equal(allowed(undefined, ''), false);
  });

  it('with a list accepts exactly the listed origins, and clients without an Origin', () => {
    const list = ['https://a.example', 'https://b.example:444'];
    assert.equal(allowed(list, 'https://a.example'), true);
    assert.equal(allowed(list, 'https://b.example:444'), true);
    assert.equal(allowed(list, 'https://b.example'), false);
    assert.equal(allowed(list, 'http://a.example'), false);
    assert.equal(allowed(list, 'https://app.example:8080'), false, 'a list replaces the same-host default');
    assert.equal(allowed(list, undefined), true);
    assert.equal(allowed([], 'https://a.example'), false);
  });

  it("with '*' in the list accepts any origin", () => {
    assert.equal(allowed(['*'], 'https://anything.example'), true);
    assert.equal(allowed(['*'], 'null'), true);
    assert.equal(allowed(['https://a.example', '*'], 'https://other.example'), true);
  });

  it('with a function asks it for every upgrade, passing the Origin (or undefined) and the request', () => {
    const calls: [string | undefined, string | undefined][] = [];
    const policy: OriginPolicy = (origin, r) => {
      calls.push([origin, r.url]);
      return origin === 'https://ok.example';
    };
    assert.equal(originAllowed(policy, req({ origin: 'https://ok.example', host: 'h' }, '/a')), true);
    assert.equal(originAllowed(policy, req({ origin: 'https://no.example', host: 'h' }, '/b')), false);
    assert.equal(
      originAllowed(policy, req({ host: 'h' }, '/c')),
      false,
      'the function decides for non-browser clients too',
    );
    assert.deepEqual(calls, [
      ['https://ok.example', '/a'],
      ['https://no.example', '/b'],
      [undefined, '/c'],
    ]);
  });
});
