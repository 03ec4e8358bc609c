/**
 * The `./client` entry: the connection state machine without the element, for pages that render
 * their own UI and for Node (pass `{ WebSocket }` from the `ws` package as the environment).
 */
export { HIGH_WATER_MARK, SessionClient } from './session-client.js';
export { OutboxFullError } from './outbox.js';
export { SharedClient, canShare } from './shared-client.js';
export {
  browserEnvironment,
  defaultEnvironment,
  headlessEnvironment,
  type ClientEnvironment,
  type SocketClass,
  type SocketLike,
} from './environment.js';
export type * from './types.js';
export type { Payload } from './payload.js';
export type { Credential } from './credential.js';
export type { NewSessionReason } from '../protocol/frames.js';
export { NO_ATTRIBUTES, parseConfig, type ClientConfig, type RawAttributes } from '../config.js';
export { CloseCode, isFatalCloseCode } from '../protocol/close-codes.js';
