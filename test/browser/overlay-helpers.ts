/** Reading the overlay's shadow DOM the way a person sees it. */
import type { ReconnectingSessionElement } from '../../src/reconnecting-session.js';
import { waitUntil } from './helpers.js';

export const part = (el: ReconnectingSessionElement, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
export const text = (el: ReconnectingSessionElement, name: string) =>
  part(el, name)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
/** The text a person sees for the message: the slotted replacement, or the slot's fallback. */
export function shownMessage(el: ReconnectingSessionElement): string | null {
  const slot = part(el, 'message')?.querySelector('slot');
  if (!slot) return null;
  const assigned = slot.assignedNodes({ flatten: true });
  return (assigned.length ? assigned : [...slot.childNodes])
    .map((n) => n.textContent)
    .join('')
    .trim();
}
export async function view(el: ReconnectingSessionElement, name: string, timeout = 5000) {
  await waitUntil(() => part(el, 'overlay')?.classList.contains(name), `overlay never showed ${name}`, { timeout });
  await el.updateComplete;
}
