// Rollup plugin for the no-overlay bundle, for pages that draw their own connection UI (overlay="none"):
// the same element, client and events, without the overlay's markup, styles, live regions and timers.
//
// It swaps five modules for stand-ins: the overlay settings and state always say `none` (so the element
// never starts the countdown timer), the overlay template renders nothing, the renderer puts just the default slot in
// the shadow root, and the stylesheet keeps only what the element itself needs.
import { dirname, resolve } from 'node:path';

const STUBS = {
  'dist/overlay/overlay-config.js': `
export const POSITIONS = [];
export const parseOverlayConfig = () => ({
  config: { mode: 'none', position: 'bottom-right', gracePeriod: 0, reconnectedDuration: 0 },
  warnings: [],
});`,
  'dist/overlay/overlay-state.js': `
export const overlayView = () => 'none';
export const graceFor = () => 0;
export const msUntilNextSecond = () => 0;`,
  'dist/overlay/overlay-template.js': `
export const DEFAULT_TEXTS = {};
export const FIRST_CONNECT_TEXTS = {};
export const RESTARTING_TEXT = '';
export const renderOverlay = () => null;`,
  'dist/overlay/dom.js': `
export const h = () => null;
export const patch = (root) => root.firstChild || root.append(document.createElement('slot'));`,
  'dist/reconnecting-session.styles.js': `
import { unsafeCSS } from 'lit';
export const styles = unsafeCSS(':host{display:contents}:host([hidden]){display:none}');`,
};

export default function noOverlay() {
  const stubs = new Map(Object.entries(STUBS).map(([path, code]) => [resolve(path), code]));
  return {
    name: 'no-overlay',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.') || importer.startsWith('\0')) return null;
      const path = resolve(dirname(importer), source);
      return stubs.has(path) ? `\0no-overlay:${path}` : null;
    },
    load(id) {
      return id.startsWith('\0no-overlay:') ? stubs.get(id.slice('\0no-overlay:'.length)) : null;
    },
  };
}
