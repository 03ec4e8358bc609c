/** Node entry: the session server library. Never imported by browser code. */
export { createSessionServer, SessionServer } from './session-server.js';
export type { SessionServerEvents, ResumeInfo, RejectInfo, BroadcastResult, HelloInfo } from './session-server.js';
export type { SessionServerOptions } from './options.js';
export { Session, SessionBufferFullError } from './session.js';
export type { SessionData, SessionEvents, ExpirationBlock } from './session.js';
export type { OriginPolicy } from './origin.js';
export { createMetrics, SessionServerMetrics } from './metrics.js';
export { opsHandler } from './ops-endpoints.js';
export type { OpsEndpoints } from './ops-endpoints.js';
export { Readiness } from './readiness.js';
export { attachEchoApp } from './echo-app.js';
export { ReplyQueue } from './reply-queue.js';
export { MemoryStore } from './store/memory-store.js';
export { RedisStore } from './store/redis-store.js';
export type { RedisStoreOptions } from './store/redis-store.js';
export type { SessionStore, StoredSession, StoredFrame, StoreOp, ClaimResult } from './store/session-store.js';
export { CloseCode, formatRetryHint, parseRetryHint } from '../protocol/close-codes.js';
export { PROTOCOL_VERSION } from '../protocol/frames.js';
