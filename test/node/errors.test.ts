import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionServerError, wrap } from '../../src/server/errors.js';

describe('SessionServerError', () => {
  it('carries a code, and wraps what failed as its cause with its message in the text', () => {
    const cause = new Error('Connection is closed.');
    const error = wrap('ERR_STORE_WRITE', 'session s1: store write failed, retrying', cause);
    assert.ok(error instanceof SessionServerError && error instanceof Error);
    assert.equal(error.name, 'SessionServerError');
    assert.equal(error.code, 'ERR_STORE_WRITE');
    assert.equal(error.cause, cause);
    assert.equal(error.message, 'session s1: store write failed, retrying: Connection is closed.');
  });

  it('wraps a thrown non-Error as well', () => {
    const error = wrap('ERR_STORE_SWEEP', 'sweep failed', 'NOSCRIPT');
    assert.equal(error.message, 'sweep failed: NOSCRIPT');
    assert.equal(error.cause, 'NOSCRIPT');
  });
});
