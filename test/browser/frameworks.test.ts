// The framework examples of docs/frameworks.md (test/node/frameworks-doc.test.ts checks it shows them), rendered by React 19 and Vue 3 against a real echo server.
import { expect } from '@open-wc/testing';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { createApp, type Component } from 'vue';
import type { ReconnectingSessionElement } from '../../src/reconnecting-session.js';
import { cleanup, startServer, waitUntil } from './helpers.js';

interface Example {
  name: string;
  render(container: HTMLElement, url: string): () => void;
}

const examples: Example[] = [
  {
    name: 'React 19',
    render(container, url) {
      const { LiveFeed } = modules.get('react') as { LiveFeed: (props: { url: string }) => null };
      const root = createRoot(container);
      root.render(createElement(LiveFeed, { url }));
      return () => root.unmount();
    },
  },
  {
    name: 'Vue 3',
    render(container, url) {
      const { LiveFeed } = modules.get('vue') as { LiveFeed: Component };
      const app = createApp(LiveFeed, { url });
      app.mount(container);
      return () => app.unmount();
    },
  },
];

const modules = new Map<string, unknown>();

describe('framework examples (docs/frameworks.md)', () => {
  let container: HTMLElement;
  let unmount: (() => void) | undefined;

  before(async () => {
    modules.set('react', await import('../../docs/examples/react.js' as string));
    modules.set('vue', await import('../../docs/examples/vue.js' as string));
  });
  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
  });
  afterEach(async () => {
    unmount?.();
    unmount = undefined;
    container.remove();
    await cleanup();
  });

  for (const example of examples) {
    it(`${example.name}: properties reach the element and its events reach the handlers`, async () => {
      const server = await startServer({ echo: true });
      unmount = example.render(container, server.url);
      const el = await new Promise<ReconnectingSessionElement>((resolve) => {
        const check = () => {
          const found = container.querySelector('reconnecting-session');
          if (found) resolve(found);
          else setTimeout(check, 10);
        };
        check();
      });
      // Set as properties, not attributes: a number stays a number and nothing is written to the markup.
      expect(el.maxAttempts).to.equal(10);
      expect(el.hasAttribute('max-attempts')).to.equal(false);
      expect(el.overlay).to.equal('toast');
      expect(el.url).to.equal(server.url);

      const status = () => container.querySelector('.status')?.textContent;
      await waitUntil(() => status() === 'Status: open', `the handler never saw open (${status()})`);
      container.querySelector('button')!.click();
      await waitUntil(() => container.querySelector('li')?.textContent === 'hello', 'the echo never reached the list');
      expect((await server.stats()).received).to.deep.equal(['hello']);
    });
  }
});
