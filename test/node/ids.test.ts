import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSessionId, newToken, tokensEqual } from '../../src/server/ids.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

describe('session IDs and tokens', () => {
  it('newSessionId() is 22 base64url characters carrying 128 random bits', () => {
    for (let i = 0; i < 100; i++) {
      const id = newSessionId();
      assert.equal(id.length, 22);
      assert.match(id, BASE64URL);
      assert.equal(Buffer.from(id, 'base64url').length, 16);
      assert.equal(Buffer.from(id, 'base64url').toString('base64url'), id, 'no padding or stray characters');
    }
  });

  it('newToken() is 43 base64url characters carrying 256 random bits', () => {
    for (let i = 0; i < 100; i++) {
      const token = newToken();
      assert.equal(token.length, 43);
      assert.match(token, BASE64URL);
      assert.equal(Buffer.from(token, 'base64url').length, 32);
      assert.equal(Buffer.from(token, 'base64url').toString('base64url'), token);
    }
  });

  it('never repeats an ID or a token over many calls, and IDs and tokens never coincide', () => {
    const n = 10_000;
    const ids = new Set(Array.from({ length: n }, () => newSessionId()));
    const tokens = new Set(Array.from({ length: n }, () => newToken()));
    assert.equal(ids.size, n);
    assert.equal(tokens.size, n);
    for (const id of ids) assert.equal(tokens.has(id), false);
  });

  it('uses the whole alphabet at every position (the bits are random, not a counter or a clock)', () => {
    // 2000 IDs: a fixed or slowly changing character position would show up as few distinct values.
    const ids = Array.from({ length: 2000 }, () => newSessionId());
    for (let pos = 0; pos < 21; pos++) {
      const seen = new Set(ids.map((id) => id[pos]));
      assert.ok(seen.size > 48, `position ${pos} takes only ${seen.size} values`);
    }
  });
});

describe('tokensEqual', () => {
  it('is true for equal strings', () => {
    const token = newToken();
    assert.equal(tokensEqual(token, token), true);
    assert.equal(tokensEqual(token, `${token}`.slice(0)), true);
    assert.equal(tokensEqual('', ''), true);
  });

  it('is false for different strings of the same length', () => {
    const token = newToken();
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    assert.equal(tokensEqual(token, flipped), false);
    const last = token.slice(0, -1) + (token.at(-1) === 'A' ? 'B' : 'A');
    assert.equal(tokensEqual(token, last), false);
    assert.equal(tokensEqual(token, newToken()), false);
  });

  it('is false (and does not throw) for strings of different lengths, including prefixes and the empty string', () => {
    const token = newToken();
    assert.equal(tokensEqual(token, token.slice(0, -1)), false);
    assert.equal(tokensEqual(token.slice(0, -1), token), false);
    assert.equal(tokensEqual(token, `${token}x`), false);
    assert.equal(tokensEqual(token, ''), false);
    assert.equal(tokensEqual('', token), false);
    assert.equal(tokensEqual(token, 'x'.repeat(10_000)), false);
  });

  it('compares characters, not a lossy encoding of them', () => {
    assert.equal(tokensEqual('é', 'e'), false);
    assert.equal(tokensEqual('\u00e9', 'e\u0301'), false, 'no Unicode normalisation');
    assert.equal(tokensEqual('a\u0000', 'a'), false);
    assert.equal(tokensEqual('€', '€'), true);
  });
});
