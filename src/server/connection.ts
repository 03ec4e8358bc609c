/** One socket's side of the protocol: the hello handshake, then frames for its session. */
import type { WebSocket, RawData } from 'ws';
import {
  decodeClientFrame,
  encodeFrame,
  PROTOCOL_VERSION,
  ProtocolError,
  type ClientFrame,
  type HelloFrame,
} from '../protocol/frames.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { Session } from './session.js';
import { closeSocket } from './socket.js';
import type { Traffic } from './traffic.js';

const MAX_WAITING_FRAMES = 1024;

/** What a connection needs from its server. */
export interface ConnectionHost {
  helloTimeoutMs: number;
  closeTimeoutMs: number;
  traffic?: Traffic;
  /** Finds or creates the session for a hello, or returns null after closing the socket itself (async with a store). */
  attach(ws: WebSocket, hello: HelloFrame, address: string): Session | null | Promise<Session | null>;
  /** A fresh credential over the live socket; false when the server checks none (the frame is then unexpected). */
  refreshAuth(ws: WebSocket, credential: string): boolean;
  reportError(error: Error): void;
}

export function sendError(ws: WebSocket, error: ProtocolError, closeTimeoutMs: number): void {
  if (ws.readyState !== 1) return;
  ws.send(encodeFrame({ t: 'error', code: error.code, message: error.message }));
  closeSocket(ws, error.closeCode, error.message.slice(0, 120), closeTimeoutMs);
}

/** The socket already has its `error` listener (attached first by the server, before any early return). */
export function handleConnection(ws: WebSocket, address: string, host: ConnectionHost): void {
  let session: Session | null = null;
  /** Frames that came while a store looked the session up; handled in order once it answers. */
  let waiting: ClientFrame[] | null = null;
  const fail = (error: ProtocolError) => sendError(ws, error, host.closeTimeoutMs);
  const helloTimer = setTimeout(
    () => fail(new ProtocolError('no-hello', 'no hello frame in time', CloseCode.protocolError)),
    host.helloTimeoutMs,
  );
  helloTimer.unref();

  ws.on('message', (data: RawData, isBinary: boolean) => {
    try {
      if (isBinary) throw new ProtocolError('binary', 'binary frames are not part of the protocol; send text', 1003);
      const text = data.toString();
      const frame = decodeClientFrame(text);
      if (frame.t === 'msg' && host.traffic) {
        host.traffic.messagesIn++;
        host.traffic.bytesIn += Buffer.isBuffer(data) ? data.length : Buffer.byteLength(text);
      }
      if (!session) {
        if (waiting) {
          if (waiting.length >= MAX_WAITING_FRAMES)
            throw new ProtocolError('flood', 'too many frames before the welcome', CloseCode.policy);
          waiting.push(frame);
          return;
        }
        if (frame.t !== 'hello')
          throw new ProtocolError('no-hello', 'the first frame must be hello', CloseCode.protocolError);
        if (frame.v !== PROTOCOL_VERSION) {
          throw new ProtocolError(
            'version',
            `protocol version ${frame.v} is not supported (want ${PROTOCOL_VERSION})`,
            CloseCode.protocolError,
          );
        }
        clearTimeout(helloTimer);
        const attached = host.attach(ws, frame, address);
        if (!(attached instanceof Promise)) {
          session = attached;
          return;
        }
        waiting = [];
        attached.then(
          (s) => {
            session = s;
            const queued = waiting ?? [];
            waiting = null;
            if (!s) return;
            // The socket may have closed while the store answered, before `session` was set for the close handler.
            if (ws.readyState > 1) return s.detach(ws);
            try {
              for (const f of queued) onFrame(ws, s, f, host);
            } catch (error) {
              if (error instanceof ProtocolError) return fail(error);
              host.reportError(error as Error);
              fail(new ProtocolError('internal', 'internal error', CloseCode.internalError));
            }
          },
          (error: unknown) => {
            host.reportError(error as Error);
            fail(new ProtocolError('internal', 'internal error', CloseCode.internalError));
          },
        );
        return;
      }
      onFrame(ws, session, frame, host);
    } catch (error) {
      if (error instanceof ProtocolError) return fail(error);
      // Application code runs behind the guard, so this is our own bug: report it and end only this socket.
      host.reportError(error as Error);
      fail(new ProtocolError('internal', 'internal error', CloseCode.internalError));
    }
  });
  ws.on('close', () => {
    clearTimeout(helloTimer);
    session?.detach(ws);
  });
}

function onFrame(ws: WebSocket, session: Session, frame: ClientFrame, host: ConnectionHost): void {
  session.confirmToken(ws);
  switch (frame.t) {
    case 'msg':
      if (!session.receive(frame, ws)) {
        throw new ProtocolError('gap', `message ${frame.seq} skips past ${session.inSeq}`, CloseCode.protocolError);
      }
      return;
    case 'ack':
      // Acknowledging what was never sent would empty the replay buffer of messages still owed.
      if (frame.seq > session.outSeq) {
        throw new ProtocolError(
          'ack',
          `ack ${frame.seq} is past the last message sent (${session.outSeq})`,
          CloseCode.protocolError,
        );
      }
      session.acked(frame.seq);
      return;
    case 'ping':
      ws.send(encodeFrame({ t: 'pong', ...(frame.ts !== undefined ? { ts: frame.ts } : {}) }));
      return;
    case 'pong':
      return;
    case 'auth':
      if (!host.refreshAuth(ws, frame.auth))
        throw new ProtocolError('unexpected', 'this server checks no credentials', CloseCode.protocolError);
      return;
    case 'error':
      closeSocket(ws, CloseCode.normal, 'client reported an error', host.closeTimeoutMs);
      return;
    default:
      throw new ProtocolError('unexpected', `unexpected ${frame.t} frame from a client`, CloseCode.protocolError);
  }
}
