/**
 * ioredis is an optional peer dependency: only a `RedisStore` loads it, when it is made, so a server without Redis
 * never needs it installed; when it is missing the error says by name what to install.
 */
import type { Cluster, Redis } from 'ioredis';
import { SessionServerError } from '../errors.js';

/** The part of ioredis a `RedisStore` uses. */
export interface IoredisModule {
  Redis: typeof Redis;
  Cluster: typeof Cluster;
}

export const IOREDIS_MISSING =
  'sessions in Redis need ioredis, an optional peer dependency of reconnecting-session: npm install ioredis';

/** `load` stands in for the import in tests. */
export async function loadIoredis(
  load: () => Promise<IoredisModule> = () => import('ioredis'),
): Promise<IoredisModule> {
  try {
    return await load();
  } catch (error) {
    // Only ioredis itself missing: a dependency missing inside it, or a broken install, is reported as it is.
    const e = error as NodeJS.ErrnoException;
    if (!/MODULE_NOT_FOUND$/.test(e?.code ?? '') || !/'ioredis'/.test(e.message)) throw error;
    throw new SessionServerError('ERR_IOREDIS_MISSING', IOREDIS_MISSING, { cause: error });
  }
}
