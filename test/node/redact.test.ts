import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withoutCredentials, withoutCredentialsInText } from '../../src/client/redact.js';

describe('withoutCredentials', () => {
  it('removes user and password and keeps everything else', () => {
    assert.equal(withoutCredentials('wss://alice:s3cret@example.com:8443/ws?x=1'), 'wss://example.com:8443/ws?x=1');
    assert.equal(withoutCredentials('ws://alice@example.com/'), 'ws://example.com/');
    assert.equal(withoutCredentials('ws://example.com/a'), 'ws://example.com/a');
  });

  it('removes userinfo from URLs quoted in free text and from strings that do not parse', () => {
    assert.equal(
      withoutCredentialsInText("The URL 'wss://a:b@h/x' is invalid, so is ws://c@d/"),
      "The URL 'wss://h/x' is invalid, so is ws://d/",
    );
    assert.equal(withoutCredentials('not a url wss://a:b@'), 'not a url wss://');
  });
});
