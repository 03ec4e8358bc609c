/** What the overlay says: its default texts and the rules that choose between them and the page's own. */
import type { StatusDetail } from '../client/types.js';
import { isRestartCode } from '../protocol/close-codes.js';
import type { OverlayView } from './overlay-state.js';

export type VisibleView = Exclude<OverlayView, 'none'>;

export const DEFAULT_TEXTS: Record<VisibleView, string> = {
  reconnecting: 'Connection lost.',
  offline: 'You are offline. Waiting for the network…',
  failed: 'Could not reconnect.',
  'signed-out': 'You are signed out.',
  disconnected: 'Disconnected from the server.',
  expired: 'Your session has expired. Reload the page to continue.',
  reconnected: 'Reconnected.',
};

/** Default texts for a page that has never been connected, and for a server that said it is restarting (1012). */
export const FIRST_CONNECT_TEXTS = {
  reconnecting: 'Connecting to the server…',
  failed: 'Could not connect to the server.',
} as const;
export const RESTARTING_TEXT = 'The server is restarting.';

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<B>}` : S;

/** The `*-message` attributes (as properties: `signed-out` → `signedOutMessage`), null when absent. */
export type Messages = Record<`${Camel<VisibleView>}Message`, string | null>;

/** The message line's text: the page's attribute if set, else the default for the situation. */
export function messageText(
  view: VisibleView,
  messages: Messages,
  detail: StatusDetail | null,
  everOpen: boolean,
): string {
  const fromAttribute =
    // As Panel's disconnect_notification: one disconnect text also serves while reconnecting.
    view === 'reconnecting'
      ? (messages.reconnectingMessage ?? messages.disconnectedMessage)
      : messages[`${view.replace(/-(.)/, (_, c: string) => c.toUpperCase()) as Camel<VisibleView>}Message`];
  if (fromAttribute != null) return fromAttribute;
  // A planned restart (the server's retry frame or 1012) is not a lost connection.
  if (view === 'reconnecting' && isRestartCode(detail?.code ?? null)) return RESTARTING_TEXT;
  if (!everOpen && (view === 'reconnecting' || view === 'failed')) return FIRST_CONNECT_TEXTS[view];
  return DEFAULT_TEXTS[view];
}

/** What screen readers hear for `text` (the slotted replacement's or the message line's). */
export function announcement(view: VisibleView, text: string, detail: StatusDetail | null, everOpen: boolean): string {
  if (view === 'reconnecting') return everOpen ? `${text} Reconnecting…` : text;
  // The server's close reason is on screen under the message: announce it with it.
  const reason = detail?.cause === 'manual' ? '' : detail?.reason;
  return view === 'failed' && reason ? `${text} ${reason}` : text;
}
