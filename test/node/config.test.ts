import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_ATTRIBUTES, parseConfig, parseUrls } from '../../src/config.js';

const none = NO_ATTRIBUTES;
const base = 'https://app.example/page';

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    const { config, warnings } = parseConfig(none, base);
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.delays, [1000, 2000, 4000, 8000, 16000, 32000]);
    assert.equal(config.maxAttempts, 6);
    assert.equal(config.jitter, 0.5);
    assert.equal(config.maxQueue, 100_000);
    assert.equal(config.reconnect, 'auto');
    assert.equal(config.protocol, 'plain');
    assert.equal(config.heartbeatInterval, 15000);
    assert.equal(config.heartbeatTimeout, 10000);
    assert.equal(config.connectTimeout, 10000);
  });

  it('derives a schedule from initial-delay, max-delay and factor', () => {
    const { config } = parseConfig(
      { ...none, initialDelay: '500', maxDelay: '5000', factor: '3', maxAttempts: '4' },
      base,
    );
    assert.deepEqual(config.delays, [500, 1500, 4500, 5000]);
  });

  it('warns about a URL without a scheme that looks like a host (it would be a path on the page server)', () => {
    const { config, warnings } = parseConfig({ ...none, url: 'example.com/ws /ws ws://ok.example/' }, base);
    assert.deepEqual(config.urls, ['wss://app.example/example.com/ws', 'wss://app.example/ws', 'ws://ok.example/']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /url="example\.com\/ws" has no scheme.*wss:\/\/example\.com\/ws/);
  });

  it('reads enumerated attributes case-insensitively; an unknown protocol keeps the guarantee (session)', () => {
    const upper = parseConfig({ ...none, protocol: 'SESSION', reconnect: 'Prompt' }, base);
    assert.deepEqual(upper.warnings, []);
    assert.equal(upper.config.protocol, 'session');
    assert.equal(upper.config.reconnect, 'prompt');
    const unknown = parseConfig({ ...none, protocol: 'sesion' }, base);
    assert.equal(unknown.config.protocol, 'session');
    assert.equal(unknown.warnings.length, 1);
    assert.match(unknown.warnings[0]!, /protocol="sesion".*using session/);
  });

  it('warns once per invalid attribute, naming it and the value, and falls back', () => {
    const { config, warnings } = parseConfig(
      { ...none, jitter: '-1', maxQueue: '1.5', heartbeatTimeout: 'soon', delays: '', sessionParam: 'a b' },
      base,
    );
    assert.equal(warnings.length, 5);
    for (const attr of [
      'jitter="-1"',
      'max-queue="1.5"',
      'heartbeat-timeout="soon"',
      'delays=""',
      'session-param="a b"',
    ]) {
      assert.ok(
        warnings.some((w) => w.includes(attr)),
        attr,
      );
    }
    assert.equal(config.jitter, 0.5);
    assert.equal(config.maxQueue, 100_000);
    assert.equal(config.sessionParam, 'session');
  });

  it('resolves URLs and keeps the good ones of a list', () => {
    assert.deepEqual(parseUrls('/ws wss://a.example/x http://b.example/y', base).urls, [
      'wss://app.example/ws',
      'wss://a.example/x',
      'ws://b.example/y',
    ]);
    const mixed = parseConfig({ ...none, url: 'ws://ok.example/ mailto:x@y' }, base);
    assert.deepEqual(mixed.config.urls, ['ws://ok.example/']);
    assert.equal(mixed.warnings.length, 1);
    assert.match(mixed.warnings[0]!, /url="ws:\/\/ok.example\/ mailto:x@y"/);
  });

  it('separates URLs by spaces only, so a comma in a query stays in its URL', () => {
    assert.deepEqual(parseUrls('ws://a.example/ws?t=a,b', base).urls, ['ws://a.example/ws?t=a,b']);
  });

  it('warns about a max-delay below initial-delay and uses initial-delay', () => {
    const { config, warnings } = parseConfig({ ...none, initialDelay: '5000', maxDelay: '1000' }, base);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /max-delay="1000"/);
    assert.deepEqual(new Set(config.delays), new Set([5000]));
  });
});
