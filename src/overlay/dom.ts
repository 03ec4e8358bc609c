/**
 * The overlay's few elements, described as plain objects and patched into the shadow root: what the
 * overlay used of lit-html (keep the nodes that stay, so a focused button survives a view change; text as
 * text, never HTML) at a fraction of its size.
 */
export type Value = string | number | boolean | null | undefined | ((e: Event) => void);
/** `name`: an attribute (null, undefined and false remove it, true sets it empty); `.name` a property; `@type` a listener. */
export type Attrs = Record<string, Value>;
export type Child = View | string | number | null | undefined | false | Child[];

export interface View {
  tag: string;
  attrs: Attrs;
  kids: Child[];
}

export const h = (tag: string, attrs: Attrs = {}, ...kids: Child[]): View => ({ tag, attrs, kids });

const listeners = new WeakMap<Element, Record<string, Value>>();

/** Which existing node a child may take over: text for text, and an element of the same tag and the same part, role or class. */
const keyOf = (attrs: Attrs) => String(attrs.part ?? attrs.role ?? attrs.class ?? '');
const fits = (node: ChildNode, kid: View | string) =>
  typeof kid === 'string'
    ? node.nodeType === 3
    : node instanceof Element &&
      node.localName === kid.tag &&
      (node.getAttribute('part') ?? node.getAttribute('role') ?? node.getAttribute('class') ?? '') === keyOf(kid.attrs);

function set(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name[0] === '@') {
      let own = listeners.get(el);
      if (!own) listeners.set(el, (own = {}));
      if (!(name in own)) el.addEventListener(name.slice(1), (e) => (own[name] as ((e: Event) => void) | null)?.(e));
      own[name] = value;
    } else if (name[0] === '.') {
      const key = name.slice(1) as keyof Element;
      if (el[key] !== value) (el as unknown as Record<string, Value>)[key] = value;
    } else if (value == null || value === false) {
      el.removeAttribute(name);
    } else if (el.getAttribute(name) !== (value === true ? '' : String(value))) {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/**
 * Makes `parent`'s children match `kids`, in order: each child takes over the first later node that fits
 * it (the nodes skipped on the way go), or a new node is inserted; what is left over at the end goes.
 */
export function patch(parent: Node, kids: Child[]): void {
  let cursor = parent.firstChild;
  for (const raw of (kids as unknown[]).flat(Infinity) as Child[]) {
    if (raw == null || raw === false) continue;
    const kid = typeof raw === 'number' ? String(raw) : (raw as View | string);
    let node = cursor;
    while (node && !fits(node, kid)) node = node.nextSibling;
    if (node) {
      while (cursor !== node) {
        const gone: ChildNode = cursor!;
        cursor = gone.nextSibling;
        gone.remove();
      }
    } else {
      node = typeof kid === 'string' ? new Text() : document.createElement(kid.tag);
      parent.insertBefore(node, cursor);
    }
    cursor = node.nextSibling;
    if (typeof kid === 'string') {
      if ((node as Text).data !== kid) (node as Text).data = kid;
    } else {
      set(node as Element, kid.attrs);
      patch(node, kid.kids);
    }
  }
  while (cursor) {
    const gone: ChildNode = cursor;
    cursor = gone.nextSibling;
    gone.remove();
  }
}
