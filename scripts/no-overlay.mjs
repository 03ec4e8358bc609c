// Rollup plugin for the no-overlay bundle, for pages that draw their own connection UI (overlay="none"):
// the same element, client and events, without the overlay's markup, styles and lit-html.
//
// The element is written as a LitElement, but only its overlay is rendered through lit-html; everything
// else (properties, attributes, reflection, the update cycle) is ReactiveElement's. So this build swaps
// three modules: `lit` becomes ReactiveElement with a render root that holds just the default slot (the
// element's render() is then never called, so no overlay, live region or countdown timer appears), and
// the overlay template and stylesheet become stand-ins that keep only `display: contents`.
import { dirname, resolve } from 'node:path';

const LIT = `
import { ReactiveElement, css } from '@lit/reactive-element';
export { css };
export const nothing = undefined;
export const html = () => nothing;
export class LitElement extends ReactiveElement {
  createRenderRoot() {
    const root = super.createRenderRoot();
    root.append(document.createElement('slot'));
    return root;
  }
}`;

const STUBS = {
  'dist/overlay/overlay-template.js': `
export const DEFAULT_TEXTS = {};
export const FIRST_CONNECT_TEXTS = {};
export const RESTARTING_TEXT = '';
export const renderOverlay = () => undefined;`,
  'dist/reconnecting-session.styles.js': `
import { css } from 'lit';
export const styles = css\`:host{display:contents}:host([hidden]){display:none}\`;`,
};

export default function noOverlay() {
  const stubs = new Map(Object.entries(STUBS).map(([path, code]) => [resolve(path), code]));
  return {
    name: 'no-overlay',
    resolveId(source, importer) {
      if (!importer || importer.includes('node_modules')) return null;
      if (source === 'lit' && importer !== '\0no-overlay:lit') return '\0no-overlay:lit';
      if (!source.startsWith('.') || importer.startsWith('\0')) return null;
      const path = resolve(dirname(importer), source);
      return stubs.has(path) ? `\0no-overlay:${path}` : null;
    },
    load(id) {
      if (id === '\0no-overlay:lit') return LIT;
      if (id.startsWith('\0no-overlay:')) return stubs.get(id.slice('\0no-overlay:'.length)) ?? null;
      return null;
    },
  };
}
