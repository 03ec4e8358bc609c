/** What `send()` accepts, and how it travels in each protocol mode. */
import { base64ToBytes, bytesToBase64, type JsonValue, type MsgFrame } from '../protocol/frames.js';

export type Payload = string | ArrayBuffer | ArrayBufferView | Blob | JsonValue;

/**
 * A queued message in the form it will take on the wire. A JSON value is kept as the text
 * `JSON.stringify` made of it once at `send()`: every later use (size, frame, resend, persist)
 * reads that text, and a page that changes the object afterwards cannot alter what is queued.
 */
export type WirePayload =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; data: ArrayBuffer | Blob }
  | { kind: 'json'; text: string }
  | { kind: 'bytes'; base64: string };

const viewBytes = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

function jsonOrThrow(data: unknown): string {
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError('send(): data must be a string, binary data or a JSON value');
  return text;
}

/** Plain mode: strings go as they are, binary as binary, anything else as JSON text. */
export function toPlainWire(data: Payload): WirePayload {
  if (typeof data === 'string') return { kind: 'text', text: data };
  // Copy so later changes to the caller's buffer cannot alter a queued message.
  if (data instanceof ArrayBuffer) return { kind: 'binary', data: data.slice(0) };
  if (ArrayBuffer.isView(data)) return { kind: 'binary', data: viewBytes(data).slice().buffer };
  if (typeof Blob !== 'undefined' && data instanceof Blob) return { kind: 'binary', data };
  return { kind: 'text', text: jsonOrThrow(data) };
}

/** Session mode: JSON values travel in `d` (encoded here, once), binary as base64 in `b`. */
export function toSessionWire(data: Payload): WirePayload {
  if (typeof data === 'object' && data !== null) {
    if (typeof Blob !== 'undefined' && data instanceof Blob) {
      throw new TypeError(
        'send(): Blob is not supported in session mode; send an ArrayBuffer (await blob.arrayBuffer())',
      );
    }
    if (data instanceof ArrayBuffer) return { kind: 'bytes', base64: bytesToBase64(new Uint8Array(data)) };
    if (ArrayBuffer.isView(data)) return { kind: 'bytes', base64: bytesToBase64(viewBytes(data)) };
  }
  return { kind: 'json', text: jsonOrThrow(data) };
}

/** Size in UTF-16 code units (a UTF-8 bound is three times that), for the byte bound of the queue. */
export function wireSize(w: WirePayload): number {
  switch (w.kind) {
    case 'text':
    case 'json':
      return w.text.length;
    case 'binary':
      return w.data instanceof ArrayBuffer ? w.data.byteLength : w.data.size;
    case 'bytes':
      return w.base64.length;
  }
}

/** The application data carried by a session-mode `msg` frame. */
export function msgData(frame: MsgFrame): JsonValue | ArrayBuffer {
  if (frame.b !== undefined) return base64ToBytes(frame.b).buffer as ArrayBuffer;
  return frame.d ?? null;
}

/**
 * The text of a session-mode `msg` frame for a queued message (one queued in plain mode too, if
 * the page switched protocol). Built around the payload's JSON text, which is not encoded again;
 * equal to `JSON.stringify({ t: 'msg', seq, d })` (or `b`).
 */
export function msgText(seq: number, w: WirePayload): string {
  if (w.kind === 'json') return '{"t":"msg","seq":' + seq + ',"d":' + w.text + '}';
  if (w.kind === 'bytes') return '{"t":"msg","seq":' + seq + ',"b":"' + w.base64 + '"}';
  if (w.kind === 'text') return '{"t":"msg","seq":' + seq + ',"d":' + JSON.stringify(w.text) + '}';
  if (w.data instanceof ArrayBuffer)
    return '{"t":"msg","seq":' + seq + ',"b":"' + bytesToBase64(new Uint8Array(w.data)) + '"}';
  throw new TypeError('a Blob queued in plain mode cannot be sent in session mode');
}

/** What a plain socket sends for a queued message (one queued in session mode too, if the page switched protocol). */
export function plainData(w: WirePayload): string | ArrayBuffer | Blob {
  if (w.kind === 'text' || w.kind === 'json') return w.text;
  if (w.kind === 'binary') return w.data;
  return base64ToBytes(w.base64).buffer as ArrayBuffer;
}
