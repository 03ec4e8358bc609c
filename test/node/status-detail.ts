import type { StatusDetail } from '../../src/client/types.js';

/** A status detail as the client reports it mid-outage (attempt 1 of 6, next one at 11 s), with `patch` on top. */
export const statusDetail = (patch: Partial<StatusDetail> = {}): StatusDetail => ({
  status: 'reconnecting',
  previous: 'open',
  attempt: 1,
  maxAttempts: 6,
  delayMs: 1000,
  nextAttemptAt: 11_000,
  cause: 'network',
  code: 1006,
  reason: '',
  url: 'ws://x/',
  ...patch,
});
