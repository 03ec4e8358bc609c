/** One socket's side of the protocol: the hello handshake, then frames for its session. */
import type { WebSocket, RawData } from 'ws';
import {
  decodeFrame,
  encodeFrame,
  PROTOCOL_VERSION,
  ProtocolError,
  type Frame,
  type HelloFrame,
} from '../protocol/frames.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { Session } from './session.js';

/** What a connection needs from its server. */
export interface ConnectionHost {
  helloTimeoutMs: number;
  /** Finds or creates the session for a hello, or returns null after closing the socket itself. */
  attach(ws: WebSocket, hello: HelloFrame, remote: string): Session | null;
  reportError(error: Error): void;
}

export function sendError(ws: WebSocket, error: ProtocolError): void {
  if (ws.readyState !== 1) return;
  ws.send(encodeFrame({ t: 'error', code: error.code, message: error.message }));
  ws.close(error.closeCode, error.message.slice(0, 120));
}

export function handleConnection(ws: WebSocket, remote: string, host: ConnectionHost): void {
  let session: Session | null = null;
  const helloTimer = setTimeout(
    () => sendError(ws, new ProtocolError('no-hello', 'no hello frame in time', CloseCode.protocolError)),
    host.helloTimeoutMs,
  );
  helloTimer.unref();

  ws.on('message', (data: RawData, isBinary: boolean) => {
    try {
      if (isBinary) throw new ProtocolError('binary', 'binary frames are not part of the protocol; send text', 1003);
      const frame = decodeFrame(data.toString());
      if (!session) {
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
        session = host.attach(ws, frame, remote);
        return;
      }
      onFrame(ws, session, frame);
    } catch (error) {
      if (error instanceof ProtocolError) return sendError(ws, error);
      host.reportError(error as Error);
      // A throwing `message` listener is the application's bug: the message was delivered, so the
      // session and its socket go on (closing would only make the client resend into the same bug).
      if (!session) sendError(ws, new ProtocolError('internal', 'internal error', CloseCode.internalError));
    }
  });
  ws.on('close', () => {
    clearTimeout(helloTimer);
    session?.detach(ws);
  });
  ws.on('error', (error) => host.reportError(error));
}

function onFrame(ws: WebSocket, session: Session, frame: Frame): void {
  session.confirmToken(ws);
  switch (frame.t) {
    case 'msg':
      if (!session.receive(frame)) {
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
    case 'error':
      ws.close(CloseCode.normal, 'client reported an error');
      return;
    default:
      throw new ProtocolError('unexpected', `unexpected ${frame.t} frame from a client`, CloseCode.protocolError);
  }
}
