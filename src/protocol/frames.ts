/** Wire protocol v1: JSON text frames shared by the element and the server. See docs/protocol.md. */

export const PROTOCOL_VERSION = 1;

/** Why a resume did not continue the old session. */
/** `user`: the credential names another user than the one the session belongs to. */
export type NewSessionReason = 'expired' | 'unknown' | 'replay-gap' | 'token' | 'user';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface HelloFrame {
  t: 'hello';
  v: number;
  sid?: string;
  token?: string;
  /** Highest server seq the client has received. */
  ack: number;
  /** The credential for the server's `authenticate` (never in the URL). */
  auth?: string;
}

/** Send a fresh credential (an `auth` frame) before `before` (epoch ms), or the socket closes with 4401. */
export interface ReauthFrame {
  t: 'reauth';
  before: number;
}

/** A fresh credential over the live socket, in answer to `reauth`. */
export interface AuthFrame {
  t: 'auth';
  auth: string;
}

export interface WelcomeFrame {
  t: 'welcome';
  sid: string;
  token: string;
  resumed: boolean;
  /** Highest client seq the server has received. */
  ack: number;
  lifetimeMs: number;
  /** Highest seq the server has sent in this session, so the client can count what will be replayed. */
  seq?: number;
  /** Reasons a newer server may add are passed on as they are, not refused. */
  reason?: NewSessionReason;
  /** The largest frame the server accepts (bytes), so the client can refuse a message up front. */
  maxFrameBytes?: number;
}

/** `d` carries JSON; `b` carries binary as base64 (exactly one of them is present). */
export interface MsgFrame {
  t: 'msg';
  seq: number;
  d?: JsonValue;
  b?: string;
}

export interface AckFrame {
  t: 'ack';
  seq: number;
}

export interface PingFrame {
  t: 'ping';
  ts?: number;
}

export interface PongFrame {
  t: 'pong';
  ts?: number;
}

export interface ErrorFrame {
  t: 'error';
  code: string;
  message: string;
}

/**
 * Sent before the server closes with 1012/1013: come back after `afterMs`, spread over `spreadMs`. `code` names the
 * close that follows, since some engines (WebKitGTK) hand the page 1012–1014 as 1006.
 */
export interface RetryFrame {
  t: 'retry';
  afterMs: number;
  spreadMs: number;
  code?: number;
}

/** What each side sends: a decoder refuses the frames only the other side sends. */
export type ClientFrame = HelloFrame | AuthFrame | MsgFrame | AckFrame | PingFrame | PongFrame | ErrorFrame;
export type ServerFrame =
  WelcomeFrame | MsgFrame | AckFrame | PingFrame | PongFrame | ErrorFrame | RetryFrame | ReauthFrame;
export type Frame = ClientFrame | ServerFrame;

export type FrameType = Frame['t'];

export class ProtocolError extends Error {
  /** Machine-readable code, also used in `error` frames. */
  readonly code: string;
  /** WebSocket close code the receiver should close with. */
  readonly closeCode: number;

  constructor(code: string, message: string, closeCode = 1002) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame);
}

const MSG_HEAD = '{"t":"msg","seq":';

/** A `msg` frame around a body already encoded as a JSON object (`{"d":…}`), so one body serves many frames. */
export function encodeMsgFrame(seq: number, body: string): string {
  return `${MSG_HEAD}${seq},${body.slice(1)}`;
}

/** The UTF-8 length of `encodeMsgFrame(seq, body)` from the body's, without building the frame. */
export function msgFrameBytes(seq: number, bodyBytes: number): number {
  return MSG_HEAD.length + String(seq).length + bodyBytes;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
// Number.isFinite is false for anything not a number (it does not coerce).
const isOptNumber = (v: unknown) => v === undefined || Number.isFinite(v);
const isOptString = (v: unknown) => v === undefined || typeof v === 'string';

/** A field's test and what it must be, for the message when it fails. */
type Rule = [test: (v: unknown) => boolean, what: string];
const NAT = 'a non-negative integer';
const nat: Rule = [isSeq, NAT];
const optNat: Rule = [(v) => v === undefined || isSeq(v), NAT];
const str: Rule = [(v) => typeof v === 'string', 'a string'];
const optStr: Rule = [isOptString, 'a string'];
const duration: Rule = [(v) => Number.isFinite(v) && (v as number) >= 0, 'a duration'];

// Built once: \`msg\` and \`ack\` are decoded for every message, both ways.
const MSG_RULES: Record<string, Rule> = {
  seq: [(v) => isSeq(v) && v > 0, 'a positive integer'],
  b: [isOptString, 'a base64 string'],
};
const ACK_RULES: Record<string, Rule> = { seq: nat };

function fail(what: string): never {
  throw new ProtocolError('bad-frame', what, 1007);
}

/** Every field message reads the same: `<type>.<field> must be <what>`. */
function check<T>(f: Record<string, unknown>, rules: Record<string, Rule>): T {
  for (const field in rules) if (!rules[field]![0](f[field])) fail(`${f.t}.${field} must be ${rules[field]![1]}`);
  return f as T;
}

function parse(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('bad-json', 'frame is not valid JSON', 1007);
  }
  if (!isObject(value) || typeof value.t !== 'string') fail('frame must be an object with a string "t"');
  return value;
}

/** The frames both sides send; any other type is one `sender` never sends, so it is refused like an unknown one. */
function decodeShared(f: Record<string, unknown>, sender: string): ClientFrame & ServerFrame {
  switch (f.t) {
    case 'msg':
      if ('d' in f === 'b' in f) fail('msg needs exactly one of "d" or "b"');
      return check(f, MSG_RULES);
    case 'ack':
      return check(f, ACK_RULES);
    case 'ping':
    case 'pong':
      return check(f, { ts: [isOptNumber, 'a number'] });
    case 'error':
      return check(f, { code: str, message: str });
    default:
      fail(`a ${sender} sends no frame of type ${JSON.stringify(f.t).slice(0, 40)}`);
  }
}

/**
 * Parses and validates one text frame from a server (what the client receives). Throws ProtocolError (close 1007:
 * not JSON, not a valid frame, or a type only a client sends) instead of returning junk.
 */
export function decodeServerFrame(text: string): ServerFrame {
  const f = parse(text);
  switch (f.t) {
    case 'welcome':
      return check(f, {
        sid: str,
        token: str,
        resumed: [(v) => typeof v === 'boolean', 'a boolean'],
        ack: nat,
        lifetimeMs: duration,
        seq: optNat,
        reason: optStr,
        maxFrameBytes: optNat,
      });
    case 'retry':
      return check(f, { afterMs: duration, spreadMs: duration, code: optNat });
    case 'reauth':
      return check(f, { before: duration });
  }
  return decodeShared(f, 'server');
}

/** Parses and validates one text frame from a client (what the server receives); refuses what only a server sends. */
export function decodeClientFrame(text: string): ClientFrame {
  const f = parse(text);
  if (f.t === 'hello') return check(f, { v: nat, ack: nat, sid: optStr, token: optStr, auth: optStr });
  if (f.t === 'auth') return check(f, { auth: str });
  return decodeShared(f, 'client');
}

/** Base64 helpers that work in browsers and in Node without Buffer. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
