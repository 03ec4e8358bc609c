/** sessionStorage snapshot for `persist`: a reload resumes the same session with nothing lost. */
import type { OutboxEntry } from './outbox.js';
import type { WirePayload } from './payload.js';

export interface SessionSnapshot {
  sid: string;
  token: string;
  /** Highest server seq received. */
  inSeq: number;
  /** Highest client seq handed out. */
  outSeq: number;
  outbox: OutboxEntry<WirePayload>[];
  /** Epoch ms when the page let go of the session (pagehide, removal) or its outage began. */
  leftAt?: number;
}

const PREFIX = 'reconnecting-session:';

export function loadSnapshot(storage: Storage | null, key: string): SessionSnapshot | null {
  if (!storage) return null;
  try {
    const raw = storage.getItem(PREFIX + key);
    if (!raw) return null;
    const s = JSON.parse(raw) as SessionSnapshot;
    if (typeof s.sid !== 'string' || typeof s.token !== 'string' || !Array.isArray(s.outbox)) return null;
    // Binary entries were queued as ArrayBuffers/Blobs only in plain mode, which does not persist.
    s.outbox = s.outbox.filter(
      (e) => (e.data.kind === 'json' && typeof e.data.text === 'string') || e.data.kind === 'bytes',
    );
    return s;
  } catch {
    return null;
  }
}

export function saveSnapshot(storage: Storage | null, key: string, snapshot: SessionSnapshot): void {
  try {
    storage?.setItem(PREFIX + key, JSON.stringify(snapshot));
  } catch {
    // Quota exceeded or storage disabled: persistence is best effort, the live session is unaffected.
  }
}
