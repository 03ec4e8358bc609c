/**
 * Sessions in Redis 7 (one primary, or Redis Cluster), laid out per session (Centrifugo's layout, not one global
 * stream). A session's keys and its shard of the sweep index share one hash tag `{s<k>}`, k = hash(sid) mod 128, so
 * every script touches one cluster slot and stays atomic:
 *   rs:{s<k>}:<sid>:m   hash    th (token SHA-256), pth (previous token's, until confirmed), in, out, owner, fence, cr, addr, det, user
 *   rs:{s<k>}:<sid>:o   stream  unacknowledged outgoing frames, ID `<seq>-0` (XADD with explicit ID, XTRIM MINID on ack)
 *   rs:{s<k>}:<sid>:q   stream  inbox: data other nodes sent to the session, taken by the owner
 *   rs:{s<k>}:<sid>:x   string  tombstone for a while after expiry, so a late client hears `expired`
 *   rs:{s<k>}:detached  zset    sweep score → sid (the time from which the session counts as unused)
 * The sweep reads the 128 zsets; 128 slots spread sessions over the masters of a cluster evenly enough.
 * Every multi-key step is one Lua script, fenced. Node messages go over pub/sub (sharded pub/sub on a cluster, where
 * only it counts the listeners that heard a message).
 * ioredis, an optional peer dependency, is loaded when the first store is made, so a server without one never needs it.
 */
import type { Cluster as RedisCluster, Redis, RedisOptions } from 'ioredis';
import { loadIoredis } from './ioredis.js';
import type {
  ClaimRequest,
  ClaimResult,
  ExpiredSession,
  InboxEntry,
  NewStoredSession,
  NodeMessage,
  SessionStore,
  StoredFrame,
  StoredSession,
  StoreOp,
  WriteResult,
} from './session-store.js';

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'th', ARGV[2], 'in', 0, 'out', 0, 'owner', ARGV[3], 'fence', 1, 'cr', ARGV[4], 'addr', ARGV[5], 'det', '', 'user', ARGV[8])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1`;

// KEYS m o z x q; ARGV sid node presented new ack score ttl cachedFence handoff ifFence user
const CLAIM = `
local h = redis.call('HMGET', KEYS[1], 'th', 'pth', 'in', 'out', 'owner', 'fence', 'cr', 'addr', 'user')
if not h[1] then
  if redis.call('EXISTS', KEYS[4]) == 1 then return {'expired'} end
  return {'unknown'}
end
if (h[9] or '') ~= ARGV[11] then return {'user'} end
if h[1] ~= ARGV[3] and h[2] ~= ARGV[3] then return {'token'} end
if (ARGV[9] == '1' and h[5] ~= ARGV[2] and h[5] ~= '') or (ARGV[10] ~= '' and ARGV[10] ~= h[6]) then
  return {'owned', h[5], tonumber(h[6])}
end
local ack = tonumber(ARGV[5])
local out = tonumber(h[4])
redis.call('XTRIM', KEYS[2], 'MINID', (ack + 1) .. '-0')
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local firstSeq = out + 1
if #first > 0 then firstSeq = tonumber(string.match(first[1][1], '^(%d+)')) end
if ack > out or ack < firstSeq - 1 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[5])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'replay-gap', h[5]}
end
local cached = (tonumber(ARGV[8]) == tonumber(h[6])) and (h[5] == ARGV[2])
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'th', ARGV[4], 'pth', ARGV[3], 'det', '')
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
local frames = false
if not cached then frames = redis.call('XRANGE', KEYS[2], '-', '+') end
return {'ok', h[5], fence, h[3], h[4], h[7], h[8], frames, h[9] or ''}`;

// KEYS m o z q; ARGV sid fence ttl, then (op, a, b, c) quads
const WRITE = `
local f = redis.call('HGET', KEYS[1], 'fence')
if not f then return 'gone' end
if f ~= ARGV[2] then return 'fenced' end
local out = tonumber(redis.call('HGET', KEYS[1], 'out'))
local i = 4
while i <= #ARGV do
  local op, a, b, c = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if op == 'out' then
    local seq = tonumber(a)
    if seq > out + 1 then return 'gone' end
    if seq == out + 1 then
      redis.call('XADD', KEYS[2], a .. '-0', 'f', b)
      out = seq
    end
    if c ~= '' then redis.call('XDEL', KEYS[4], c) end
  elseif op == 'ack' then
    redis.call('XTRIM', KEYS[2], 'MINID', (tonumber(a) + 1) .. '-0')
  elseif op == 'in' then
    if tonumber(a) > tonumber(redis.call('HGET', KEYS[1], 'in')) then redis.call('HSET', KEYS[1], 'in', a) end
  elseif op == 'score' then
    redis.call('ZADD', KEYS[3], a, ARGV[1])
    if b ~= '-' then redis.call('HSET', KEYS[1], 'det', b) end
  elseif op == 'confirm' then
    redis.call('HDEL', KEYS[1], 'pth')
  elseif op == 'end' then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
    redis.call('ZREM', KEYS[3], ARGV[1])
    return 'ok'
  end
  i = i + 4
end
redis.call('HSET', KEYS[1], 'out', out)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return 'ok'`;

// KEYS m o z q x; ARGV sid before tombstoneMs
const EXPIRE = `
local s = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not s or tonumber(s) > tonumber(ARGV[2]) then return false end
local owner = redis.call('HGET', KEYS[1], 'owner') or ''
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SET', KEYS[5], '1', 'PX', ARGV[3])
return owner`;

// KEYS m q; ARGV data ttl
const ENQUEUE = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then return false end
redis.call('XADD', KEYS[2], '*', 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return owner`;

const TOMBSTONE_MS = 600_000;

export interface RedisStoreOptions {
  /** Key prefix (default `rs:`), so several deployments or tests can share one Redis. */
  prefix?: string;
  /** Passed to ioredis (a URL string goes in `url`). */
  redis?: RedisOptions;
  /** `url` is one node of a Redis Cluster (it tells the client about the others). */
  cluster?: boolean;
}

/** Fixed: every node must map a session to the same shard (changing it strands the stored sessions). */
const SHARDS = 128;

/** FNV-1a: cheap, stable across processes and versions. */
function shardOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SHARDS;
}

type Reply = string | number | null | Reply[];
type Script = (...args: (string | number)[]) => Promise<Reply>;

export class RedisStore implements SessionStore {
  readonly #redis: Promise<Redis | RedisCluster>;
  #sub: Promise<Redis | RedisCluster> | null = null;
  #closed = false;
  readonly #prefix: string;
  readonly #cluster: boolean;
  readonly #url: string;
  readonly #options: RedisOptions;
  /** Several servers may share this store object, each listening under `ALL_NODES`: a set per channel. */
  readonly #handlers = new Map<string, Set<(message: NodeMessage) => void>>();
  #ttlMs = 3_600_000;

  constructor(url: string, options: RedisStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'rs:';
    this.#cluster = options.cluster ?? false;
    this.#url = url;
    // A command fails after a few reconnect attempts instead of waiting forever: the session's write-behind queue
    // retries on its own terms and the application hears about the outage.
    this.#options = { maxRetriesPerRequest: 2, ...options.redis };
    this.#redis = this.#connect(false).then((redis) => {
      for (const [name, lua, keys] of [
        ['rsCreate', CREATE, 2],
        ['rsClaim', CLAIM, 5],
        ['rsWrite', WRITE, 4],
        ['rsExpire', EXPIRE, 5],
        ['rsEnqueue', ENQUEUE, 2],
      ] as const) {
        redis.defineCommand(name, { lua, numberOfKeys: keys });
      }
      if (this.#closed) redis.disconnect();
      return redis;
    });
    // Without ioredis every command rejects with the install hint; the connection itself must not be an unhandled rejection.
    this.#redis.catch(() => {});
  }

  async #connect(subscriber: boolean): Promise<Redis | RedisCluster> {
    const { Redis, Cluster: RedisCluster } = await loadIoredis();
    // ioredis's own resubscribe after a reconnect leaves its promise unhandled (a rejection when closed meanwhile):
    // a lone Redis's subscriber resubscribes itself on `ready` (see `subscribe`).
    const redisOptions = subscriber ? { ...this.#options, maxRetriesPerRequest: null } : this.#options;
    const redis = this.#cluster
      ? new RedisCluster([this.#url], { redisOptions, shardedSubscribers: subscriber })
      : new Redis(this.#url, { ...redisOptions, ...(subscriber ? { autoResubscribe: false } : {}) });
    redis.on('error', () => {});
    return redis;
  }

  /** The ioredis connection (for inspection and tests; the store's keys are its own). */
  client(): Promise<Redis | RedisCluster> {
    return this.#redis;
  }

  async #script(name: string, ...args: (string | number)[]): Promise<Reply> {
    const redis = await this.#redis;
    return (redis as unknown as Record<string, Script>)[name]!.apply(redis, args);
  }

  #tag(shard: number): string {
    return `${this.#prefix}{s${shard}}`;
  }

  #keys(id: string) {
    const tag = this.#tag(shardOf(id));
    const base = `${tag}:${id}`;
    return { m: `${base}:m`, o: `${base}:o`, q: `${base}:q`, x: `${base}:x`, z: `${tag}:detached` };
  }

  configure(options: { safetyTtlMs: number }): void {
    this.#ttlMs = options.safetyTtlMs;
  }

  async create(s: NewStoredSession): Promise<void> {
    const k = this.#keys(s.id);
    await this.#script(
      'rsCreate',
      k.m,
      k.z,
      s.id,
      s.tokenHash,
      s.owner,
      s.createdAt,
      s.address,
      s.score,
      this.#ttlMs,
      s.user ?? '',
    );
  }

  async claim(id: string, r: ClaimRequest): Promise<ClaimResult> {
    const k = this.#keys(id);
    const reply = (await this.#script(
      'rsClaim',
      k.m,
      k.o,
      k.z,
      k.x,
      k.q,
      id,
      r.node,
      r.presentedHash,
      r.newTokenHash,
      r.ack,
      r.score,
      this.#ttlMs,
      r.cachedFence,
      r.handoff ? 1 : 0,
      r.ifFence ?? '',
      r.user ?? '',
    )) as Reply[];
    const status = reply[0] as string;
    if (status === 'unknown' || status === 'expired' || status === 'token' || status === 'user') return { status };
    if (status === 'owned') return { status, owner: String(reply[1] ?? ''), fence: Number(reply[2]) };
    if (status === 'replay-gap') return { status, previousOwner: String(reply[1] ?? '') };
    const [, owner, fence, inSeq, outSeq, createdAt, address, frames, user] = reply;
    return {
      status: 'ok',
      previousOwner: String(owner ?? ''),
      session: {
        id,
        inSeq: Number(inSeq),
        outSeq: Number(outSeq),
        owner: r.node,
        fence: Number(fence),
        createdAt: Number(createdAt),
        detachedAt: null,
        address: String(address ?? ''),
        user: String(user ?? ''),
      },
      frames: Array.isArray(frames) ? parseFrames(frames) : null,
    };
  }

  async write(id: string, fence: number, ops: StoreOp[]): Promise<WriteResult> {
    const k = this.#keys(id);
    const args: (string | number)[] = [id, fence, this.#ttlMs];
    for (const o of ops) {
      switch (o.op) {
        case 'out':
          args.push('out', o.seq, o.frame, o.inbox ?? '');
          break;
        case 'ack':
        case 'in':
          args.push(o.op, o.seq, '', '');
          break;
        case 'score':
          args.push('score', o.score, o.detachedAt === undefined ? '-' : (o.detachedAt ?? ''), '');
          break;
        case 'confirm':
        case 'end':
          args.push(o.op, '', '', '');
          break;
      }
    }
    return (await this.#script('rsWrite', k.m, k.o, k.z, k.q, ...args)) as WriteResult;
  }

  async get(id: string): Promise<StoredSession | null> {
    const h = await (await this.#redis).hgetall(this.#keys(id).m);
    if (!h.fence) return null;
    return {
      id,
      inSeq: Number(h.in),
      outSeq: Number(h.out),
      owner: h.owner ?? '',
      fence: Number(h.fence),
      createdAt: Number(h.cr),
      detachedAt: h.det ? Number(h.det) : null,
      address: h.addr ?? '',
      user: h.user ?? '',
    };
  }

  async frames(id: string, after: number): Promise<StoredFrame[]> {
    return parseFrames(await (await this.#redis).xrange(this.#keys(id).o, `${after + 1}-0`, '+'));
  }

  async lease(ids: string[], score: number): Promise<void> {
    if (ids.length === 0) return;
    const redis = await this.#redis;
    // One pipeline per shard: on a cluster a pipeline must stay in one slot.
    const byShard = new Map<number, string[]>();
    for (const id of ids) {
      const shard = shardOf(id);
      byShard.set(shard, [...(byShard.get(shard) ?? []), id]);
    }
    const results = await Promise.all(
      [...byShard.values()].map((group) => {
        const pipeline = redis.pipeline();
        for (const id of group) {
          const k = this.#keys(id);
          pipeline.zadd(k.z, 'XX', score, id);
          pipeline.pexpire(k.m, this.#ttlMs);
          pipeline.pexpire(k.o, this.#ttlMs);
          pipeline.pexpire(k.q, this.#ttlMs);
        }
        return pipeline.exec();
      }),
    );
    const failed = results.flatMap((r) => r ?? []).find(([error]) => error);
    if (failed) throw failed[0];
  }

  async expirable(before: number, limit: number): Promise<string[]> {
    const redis = await this.#redis;
    const shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, k) =>
        redis.zrangebyscore(`${this.#tag(k)}:detached`, '-inf', before, 'LIMIT', 0, limit),
      ),
    );
    return shards.flat().slice(0, limit);
  }

  async expire(id: string, before: number): Promise<ExpiredSession | null> {
    const k = this.#keys(id);
    const owner = (await this.#script('rsExpire', k.m, k.o, k.z, k.q, k.x, id, before, TOMBSTONE_MS)) as string | null;
    return owner === null ? null : { id, owner };
  }

  async enqueue(id: string, data: string): Promise<string | null> {
    const k = this.#keys(id);
    return (await this.#script('rsEnqueue', k.m, k.q, data, this.#ttlMs)) as string | null;
  }

  async inbox(id: string, after: string | null, limit: number): Promise<InboxEntry[]> {
    const entries = await (
      await this.#redis
    ).xrange(this.#keys(id).q, after === null ? '-' : `(${after}`, '+', 'COUNT', limit);
    return entries.map(([entryId, fields]) => ({ entryId, data: fields[1] ?? 'null' }));
  }

  #channel(node: string): string {
    return `${this.#prefix}node:${node}`;
  }

  async publish(node: string, message: NodeMessage): Promise<number> {
    const redis = await this.#redis;
    const text = JSON.stringify(message);
    const heard = this.#cluster ? redis.spublish(this.#channel(node), text) : redis.publish(this.#channel(node), text);
    return Number(await heard);
  }

  async subscribe(node: string, handler: (message: NodeMessage) => void): Promise<() => Promise<void>> {
    this.#sub ??= this.#connect(true).then((sub) => {
      if (!this.#cluster) {
        sub.on('ready', () => {
          if (this.#handlers.size > 0) sub.subscribe(...this.#handlers.keys()).catch(() => {});
        });
      }
      sub.on(this.#cluster ? 'smessage' : 'message', (channel: string, text: string) => {
        try {
          const message = JSON.parse(text) as NodeMessage;
          for (const handler of this.#handlers.get(channel) ?? []) handler(message);
        } catch {}
      });
      if (this.#closed) sub.disconnect();
      return sub;
    });
    const sub = await this.#sub;
    const channel = this.#channel(node);
    const handlers = this.#handlers.get(channel) ?? new Set();
    this.#handlers.set(channel, handlers.add(handler));
    await (this.#cluster ? sub.ssubscribe(channel) : sub.subscribe(channel));
    return async () => {
      handlers.delete(handler);
      if (handlers.size > 0) return;
      this.#handlers.delete(channel);
      await (this.#cluster ? sub.sunsubscribe(channel) : sub.unsubscribe(channel)).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    (await this.#sub)?.disconnect();
    (await this.#redis).disconnect();
  }
}

function parseFrames(entries: Reply[]): StoredFrame[] {
  return entries.map((entry) => {
    const [id, fields] = entry as [string, string[]];
    return { seq: Number.parseInt(id, 10), frame: fields[1]! };
  });
}
