/** A session store whose calls are timed and counted, for metrics; it passes everything through unchanged. */
import type { SessionStore } from './store/session-store.js';

export interface StoreObserver {
  call(op: string, seconds: number, failed: boolean): void;
  claim(result: string, takeover: boolean): void;
}

export function instrumentStore(store: SessionStore, observer: StoreObserver): SessionStore {
  const time = async <T>(op: string, call: () => Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    let failed = true;
    try {
      const result = await call();
      failed = false;
      return result;
    } finally {
      observer.call(op, Number(process.hrtime.bigint() - start) / 1e9, failed);
    }
  };
  return {
    configure: (options) => store.configure(options),
    create: (session) => time('create', () => store.create(session)),
    claim: async (id, request) => {
      const result = await time('claim', () => store.claim(id, request));
      const previous = result.status === 'ok' ? result.previousOwner : '';
      observer.claim(result.status, previous !== '' && previous !== request.node);
      return result;
    },
    write: (id, fence, ops) => time('write', () => store.write(id, fence, ops)),
    get: (id) => time('get', () => store.get(id)),
    frames: (id, after) => time('frames', () => store.frames(id, after)),
    lease: (ids, score) => time('lease', () => store.lease(ids, score)),
    expirable: (before, limit) => time('expirable', () => store.expirable(before, limit)),
    expire: (id, before) => time('expire', () => store.expire(id, before)),
    enqueue: (id, data) => time('enqueue', () => store.enqueue(id, data)),
    inbox: (id, after, limit) => time('inbox', () => store.inbox(id, after, limit)),
    publish: (node, message) => time('publish', () => store.publish(node, message)),
    subscribe: (node, handler) => time('subscribe', () => store.subscribe(node, handler)),
    close: () => store.close(),
  };
}
