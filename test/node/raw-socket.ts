/** Raw TCP for hostile tests: requests and WebSocket frames exactly as an attacker would write them. */
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Resolves with the time the server ended the connection. */
  ended: Promise<number>;
}

export function rawConnect(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    const ended = new Promise<number>((r) => socket.on('close', () => r(Date.now())));
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks), ended }));
    socket.once('error', reject);
  });
}

export function upgradeRequest(target: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Opens a WebSocket by hand and returns once the 101 has arrived. */
export async function rawWebSocket(port: number, target = '/'): Promise<RawConnection> {
  const c = await rawConnect(port);
  c.socket.write(upgradeRequest(target));
  const deadline = Date.now() + 3000;
  while (!c.received().includes('\r\n\r\n')) {
    if (Date.now() > deadline) throw new Error(`no upgrade answer: ${c.received().toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  if (!c.received().toString().startsWith('HTTP/1.1 101')) throw new Error(c.received().toString());
  return c;
}

/** One WebSocket frame with every bit chosen by the caller (RFC 6455 §5.2). */
export function frame(
  opcode: number,
  payload: Buffer,
  { fin = true, rsv = 0, mask = true, length }: { fin?: boolean; rsv?: number; mask?: boolean; length?: number } = {},
): Buffer {
  const len = length ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xf)];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(len));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, body]);
}

export const text = (s: string) => frame(1, Buffer.from(s));
