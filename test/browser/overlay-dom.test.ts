import { expect } from '@open-wc/testing';
import { h, patch } from '../../src/overlay/dom.js';

describe('overlay/dom patch', () => {
  it('keeps the nodes that stay, in place, and drops or adds the rest around them', () => {
    const root = document.createElement('div');
    patch(root, [
      h('span', { part: 'spinner' }),
      h('div', { class: 'body' }, 'a'),
      h('button', { part: 'retry' }, 'Retry'),
    ]);
    const [, body, button] = [...root.children];
    patch(root, [false, h('div', { class: 'body' }, 'b'), null, h('button', { part: 'retry' }, 'Retry now')]);
    expect(root.children.length).to.equal(2);
    expect(root.children[0] === body, 'body kept').to.equal(true);
    expect(root.children[1] === button, 'button kept').to.equal(true);
    expect(root.textContent).to.equal('bRetry now');
    patch(root, [h('button', { part: 'reload' }, 'Reload')]);
    expect(root.innerHTML).to.equal('<button part="reload">Reload</button>');
  });

  it('puts text in as text, never as markup', () => {
    const root = document.createElement('div');
    patch(root, [h('p', {}, '<b>x</b>', 2)]);
    expect(root.querySelector('b')).to.equal(null);
    expect(root.textContent).to.equal('<b>x</b>2');
  });

  it('sets, changes and removes attributes; sets properties; swaps listeners without stacking them', () => {
    const root = document.createElement('div');
    const calls: string[] = [];
    const view = (attrs: Record<string, unknown>) => [h('button', { part: 'b', ...attrs })];
    patch(root, view({ inert: true, 'aria-busy': 'true', '.title': 't', '@click': () => calls.push('one') }));
    const button = root.firstElementChild as HTMLButtonElement;
    expect(button.getAttribute('inert')).to.equal('');
    expect(button.getAttribute('aria-busy')).to.equal('true');
    expect(button.title).to.equal('t');
    button.click();
    patch(root, view({ inert: false, 'aria-busy': null, '@click': () => calls.push('two') }));
    button.click();
    patch(root, view({ '@click': null }));
    button.click();
    expect(button.hasAttribute('inert')).to.equal(false);
    expect(button.hasAttribute('aria-busy')).to.equal(false);
    expect(calls).to.deep.equal(['one', 'two']);
  });
});
