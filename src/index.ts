/** Browser entry: registers <reconnecting-session> and re-exports the public API. */
import { ReconnectingSessionElement } from './reconnecting-session.js';

if (!customElements.get('reconnecting-session'))
  customElements.define('reconnecting-session', ReconnectingSessionElement);

export { ReconnectingSessionElement };
export { defineReconnectingSession } from './define.js';
export * from './events.js';
export type * from './client/types.js';
export type { Payload } from './client/payload.js';
export type { Credential } from './client/credential.js';
export { SessionClient } from './client/session-client.js';
export type { SharedConnectionFactory } from './reconnecting-session-base.js';
export { OutboxFullError } from './client/outbox.js';
export { PROTOCOL_VERSION, type NewSessionReason } from './protocol/frames.js';
export { CloseCode, isFatalCloseCode } from './protocol/close-codes.js';
