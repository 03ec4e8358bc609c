/** What `send()` accepts, and how it travels in each protocol mode. */
import { base64ToBytes, bytesToBase64, type JsonValue, type MsgFrame } from '../protocol/frames.js';

export type Payload = string | ArrayBuffer | ArrayBufferView | Blob | JsonValue;

/** A queued message in the form it will take on the wire. */
export type WirePayload =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; data: ArrayBuffer | Blob }
  | { kind: 'json'; json: JsonValue }
  | { kind: 'bytes'; base64: string };

const isBinaryView = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v);

function copyView(view: ArrayBufferView): ArrayBuffer {
  // Copy so later changes to the caller's buffer cannot alter a queued message.
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
}

function jsonOrThrow(data: unknown): string {
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError('send(): data must be a string, binary data or a JSON value');
  return text;
}

/** Plain mode: strings go as they are, binary as binary, anything else as JSON text. */
export function toPlainWire(data: Payload): WirePayload {
  if (typeof data === 'string') return { kind: 'text', text: data };
  if (data instanceof ArrayBuffer) return { kind: 'binary', data: data.slice(0) };
  if (isBinaryView(data)) return { kind: 'binary', data: copyView(data) };
  if (typeof Blob !== 'undefined' && data instanceof Blob) return { kind: 'binary', data };
  return { kind: 'text', text: jsonOrThrow(data) };
}

/** Session mode: JSON values travel in `d`, binary as base64 in `b`. */
export function toSessionWire(data: Payload): WirePayload {
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    throw new TypeError(
      'send(): Blob is not supported in session mode; send an ArrayBuffer (await blob.arrayBuffer())',
    );
  }
  if (data instanceof ArrayBuffer) return { kind: 'bytes', base64: bytesToBase64(new Uint8Array(data)) };
  if (isBinaryView(data))
    return { kind: 'bytes', base64: bytesToBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) };
  jsonOrThrow(data);
  return { kind: 'json', json: data as JsonValue };
}

/** Approximate size, for the byte bound of the queue. */
export function wireSize(w: WirePayload): number {
  switch (w.kind) {
    case 'text':
      return w.text.length;
    case 'binary':
      return w.data instanceof ArrayBuffer ? w.data.byteLength : w.data.size;
    case 'json':
      return JSON.stringify(w.json).length;
    case 'bytes':
      return w.base64.length;
  }
}

/** The application data carried by a session-mode `msg` frame. */
export function msgData(frame: MsgFrame): JsonValue | ArrayBuffer {
  if (frame.b !== undefined) return base64ToBytes(frame.b).buffer as ArrayBuffer;
  return frame.d ?? null;
}

/** A session-mode frame for a queued message (one queued in plain mode too, if the page switched protocol). */
export function msgFrame(seq: number, w: WirePayload): MsgFrame {
  if (w.kind === 'bytes') return { t: 'msg', seq, b: w.base64 };
  if (w.kind === 'json') return { t: 'msg', seq, d: w.json };
  if (w.kind === 'text') return { t: 'msg', seq, d: w.text };
  if (w.data instanceof ArrayBuffer) return { t: 'msg', seq, b: bytesToBase64(new Uint8Array(w.data)) };
  throw new TypeError('a Blob queued in plain mode cannot be sent in session mode');
}

/** What a plain socket sends for a queued message (one queued in session mode too, if the page switched protocol). */
export function plainData(w: WirePayload): string | ArrayBuffer | Blob {
  if (w.kind === 'text') return w.text;
  if (w.kind === 'binary') return w.data;
  if (w.kind === 'json') return JSON.stringify(w.json);
  return base64ToBytes(w.base64).buffer as ArrayBuffer;
}
