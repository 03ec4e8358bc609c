import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statusDetail } from './status-detail.js';
import {
  DEFAULT_TEXTS,
  FIRST_CONNECT_TEXTS,
  RESTARTING_TEXT,
  announcement,
  messageText,
  type Messages,
} from '../../src/overlay/overlay-texts.js';

const none: Messages = {
  reconnectingMessage: null,
  offlineMessage: null,
  failedMessage: null,
  disconnectedMessage: null,
  expiredMessage: null,
  signedOutMessage: null,
  reconnectedMessage: null,
};
const detail = statusDetail;

describe('messageText', () => {
  it('takes the attribute when set, even an empty one', () => {
    assert.equal(messageText('offline', { ...none, offlineMessage: 'Off.' }, detail(), true), 'Off.');
    assert.equal(messageText('failed', { ...none, failedMessage: '' }, detail(), true), '');
  });

  it('reads signed-out-message through its camelCase property, with its own default', () => {
    assert.equal(messageText('signed-out', { ...none, signedOutMessage: 'Bye.' }, detail(), true), 'Bye.');
    assert.equal(
      messageText('signed-out', none, detail({ status: 'failed', cause: 'auth' }), false),
      'You are signed out.',
    );
    assert.equal(
      messageText('signed-out', { ...none, failedMessage: 'Failed.' }, detail(), true),
      'You are signed out.',
    );
  });

  it('uses disconnected-message while reconnecting when reconnecting-message is absent', () => {
    const messages = { ...none, disconnectedMessage: 'Gone.' };
    assert.equal(messageText('reconnecting', messages, detail(), true), 'Gone.');
    assert.equal(
      messageText('reconnecting', { ...messages, reconnectingMessage: 'Back soon.' }, detail(), true),
      'Back soon.',
    );
  });

  it('says the server is restarting after 1012, and "connecting" before the first open', () => {
    assert.equal(messageText('reconnecting', none, detail({ code: 1012 }), true), RESTARTING_TEXT);
    assert.equal(messageText('reconnecting', none, detail(), false), FIRST_CONNECT_TEXTS.reconnecting);
    assert.equal(messageText('failed', none, detail(), false), FIRST_CONNECT_TEXTS.failed);
    assert.equal(messageText('offline', none, detail(), false), DEFAULT_TEXTS.offline);
    assert.equal(messageText('reconnecting', none, detail(), true), DEFAULT_TEXTS.reconnecting);
  });
});

describe('announcement', () => {
  it('adds "Reconnecting…" once connected before, and the close reason to a failure', () => {
    assert.equal(announcement('reconnecting', 'Lost.', detail(), true), 'Lost. Reconnecting…');
    assert.equal(announcement('reconnecting', 'Connecting…', detail(), false), 'Connecting…');
    assert.equal(announcement('failed', 'Failed.', detail({ reason: 'bye' }), true), 'Failed. bye');
    assert.equal(announcement('failed', 'Failed.', detail({ reason: 'bye', cause: 'manual' }), true), 'Failed.');
    assert.equal(announcement('expired', 'Expired.', detail({ reason: 'bye' }), true), 'Expired.');
    // The refusal's reason is for the page (session-failed), not the person.
    assert.equal(announcement('signed-out', 'Out.', detail({ reason: 'token expired' }), true), 'Out.');
  });
});
