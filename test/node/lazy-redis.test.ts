import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionServerError } from '../../src/server/errors.js';
import { IOREDIS_MISSING, loadIoredis } from '../../src/server/store/ioredis.js';
import { runNode } from './support.js';

// A child process so the module graph is this script's alone; the package imports itself by name, from dist.
const script = `
import { createRequire } from 'node:module';
import { createSessionServer, RedisStore } from 'reconnecting-session/server';
const ioredis = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/ioredis/')).length;
const server = createSessionServer({ port: 0, host: '127.0.0.1' });
await server.ready;
console.log('memory server', ioredis());
await server.close();
// lazyConnect: the store loads ioredis but opens no connection.
const store = new RedisStore('redis://127.0.0.1:1', { redis: { lazyConnect: true } });
await store.client();
console.log('redis store', ioredis());
await store.close();
`;

describe('ioredis', () => {
  it('is not loaded by a server without a store, and is loaded by the first Redis store', async () => {
    const child = runNode(['--input-type=module', '-e', script]);
    assert.equal(await child.exited, 0, child.errors());
    const counts = Object.fromEntries(
      child
        .output()
        .trim()
        .split('\n')
        .map((line) => [line.replace(/ \d+$/, ''), Number(/\d+$/.exec(line)![0])]),
    );
    assert.equal(counts['memory server'], 0, 'no ioredis module in the graph');
    assert.ok(counts['redis store'] > 0, 'the check sees ioredis once it is loaded');
  });
});

describe('loadIoredis', () => {
  const failing = (code: string, message: string) => () => Promise.reject(Object.assign(new Error(message), { code }));

  it('asks for ioredis by name when it is not installed, with the import error as cause', async () => {
    const load = failing('ERR_MODULE_NOT_FOUND', "Cannot find package 'ioredis' imported from /app/x.js");
    const error = (await loadIoredis(load).catch((e: unknown) => e)) as SessionServerError;
    assert.ok(error instanceof SessionServerError);
    assert.equal(error.code, 'ERR_IOREDIS_MISSING');
    assert.equal(error.message, IOREDIS_MISSING);
    assert.match(error.message, /npm install ioredis/);
    assert.equal((error.cause as Error).message, "Cannot find package 'ioredis' imported from /app/x.js");
  });

  it('passes any other failure on as it is (a dependency missing inside ioredis, a syntax error)', async () => {
    const inside = failing('ERR_MODULE_NOT_FOUND', "Cannot find package 'denque' imported from /n/ioredis/built/x.js");
    await assert.rejects(loadIoredis(inside), /Cannot find package 'denque'/);
    await assert.rejects(loadIoredis(failing('ERR_SYNTAX', 'boom')), /boom/);
  });

  it('loads the installed one', async () => {
    const { Redis, Cluster } = await loadIoredis();
    assert.equal(typeof Redis, 'function');
    assert.equal(typeof Cluster, 'function');
  });
});
