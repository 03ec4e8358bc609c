// custom-elements.json (written by `npm run build`) checked against the built element it describes.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { NO_ATTRIBUTES, parseConfig } from '../../src/config.js';
import { parseOverlayConfig } from '../../src/overlay/overlay-config.js';
import { DEFAULT_TEXTS } from '../../src/overlay/overlay-texts.js';

interface Typed {
  type?: { text: string };
}
interface Attribute extends Typed {
  name: string;
  fieldName?: string;
  description?: string;
  default?: string;
}
interface Member extends Typed {
  kind: string;
  name: string;
  privacy?: string;
  readonly?: boolean;
  static?: boolean;
  description?: string;
  attribute?: string;
}
interface Declaration {
  kind: string;
  name: string;
  customElement?: boolean;
  tagName?: string;
  attributes?: Attribute[];
  members?: Member[];
  events?: (Typed & { name: string; description?: string })[];
}
interface Module {
  path: string;
  declarations?: Declaration[];
  exports?: { kind: string; name: string; declaration: { name: string; module?: string } }[];
}

const manifestFile = 'custom-elements.json';
let modules: Module[] = [];
let element: Declaration;
let observed: string[];
let eventClasses: { name: string; type: string }[];

/** The value the element uses while an attribute is absent, as the manifest should state it. */
function effectiveDefaults(): Record<string, string | number | boolean> {
  const { config } = parseConfig(NO_ATTRIBUTES, 'http://localhost/');
  // The geometric schedule's settings in effect when only one of them is set.
  const geometric = parseConfig({ ...NO_ATTRIBUTES, maxAttempts: '3', factor: '2' }, 'http://localhost/').config.delays;
  const ratio = parseConfig({ ...NO_ATTRIBUTES, maxAttempts: '2', initialDelay: '1000' }, 'http://localhost/').config
    .delays;
  const overlay = parseOverlayConfig({ overlay: null, position: null, gracePeriod: null, reconnectedDuration: null });
  return {
    protocol: config.protocol,
    reconnect: config.reconnect,
    delays: config.delays.join(','),
    'initial-delay': geometric[0]!,
    'max-delay': parseConfig({ ...NO_ATTRIBUTES, factor: '1000' }, 'http://localhost/').config.delays.at(-1)!,
    factor: ratio[1]! / ratio[0]!,
    'max-attempts': config.maxAttempts,
    jitter: config.jitter,
    'max-queue': config.maxQueue,
    'max-queue-bytes': config.maxQueueBytes,
    'session-param': config.sessionParam,
    'heartbeat-interval': config.heartbeatInterval,
    'heartbeat-timeout': config.heartbeatTimeout,
    'connect-timeout': config.connectTimeout,
    'pause-hidden': config.pauseHidden,
    manual: false,
    overlay: overlay.config.overlay,
    position: overlay.config.position,
    'grace-period': overlay.config.gracePeriod,
    'reconnected-duration': overlay.config.reconnectedDuration,
    ...Object.fromEntries(Object.entries(DEFAULT_TEXTS).map(([view, text]) => [`${view}-message`, text])),
    status: 'idle',
  };
}

/** Every `module` a manifest entry points at, with where it was found. */
function moduleReferences(value: unknown, at: string, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) value.forEach((v, i) => moduleReferences(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'module' && typeof child === 'string') out.push([child, at]);
      else moduleReferences(child, `${at}.${key}`, out);
    }
  }
  return out;
}

/** Names a TypeScript user can import from the package root (values and types). */
function packageExports(): Set<string> {
  const program = ts.createProgram(['dist/index.d.ts'], { module: ts.ModuleKind.NodeNext, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile('dist/index.d.ts')!;
  return new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(file)!).map((s) => s.name));
}

describe('custom-elements.json', () => {
  before(async () => {
    assert.ok(existsSync(manifestFile), 'custom-elements.json is missing: run `npm run build`');
    modules = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { modules: Module[] }).modules;
    element = modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement)!;
    const built = await import(pathToFileURL('dist/reconnecting-session.js').href);
    observed = [...(built.ReconnectingSessionElement as { observedAttributes: string[] }).observedAttributes];
    const events = (await import(pathToFileURL('dist/events.js').href)) as Record<string, unknown>;
    eventClasses = Object.entries(events).flatMap(([name, value]) => {
      const type = typeof value === 'function' ? (value as { type?: unknown }).type : undefined;
      return typeof type === 'string' ? [{ name, type }] : [];
    });
  });

  it('describes <reconnecting-session> in the module the package ships', () => {
    assert.equal(element?.name, 'ReconnectingSessionElement');
    assert.equal(element.tagName, 'reconnecting-session');
    const home = modules.find((m) => m.declarations?.includes(element));
    assert.equal(home?.path, 'dist/reconnecting-session.js');
    const definition = modules.flatMap((m) => m.exports ?? []).find((e) => e.kind === 'custom-element-definition');
    assert.deepEqual(definition?.declaration, {
      name: 'ReconnectingSessionElement',
      module: 'dist/reconnecting-session.js',
    });
  });

  it('lists every observed attribute, each with a type and a description', () => {
    assert.ok(observed.length >= 30, `observedAttributes: ${observed.join(' ')}`);
    assert.deepEqual(element.attributes!.map((a) => a.name).sort(), [...observed].sort());
    for (const attr of element.attributes!) {
      assert.ok(attr.description && attr.description.length > 10, `${attr.name} has no description`);
      assert.ok(attr.type?.text, `${attr.name} has no type`);
      const field = element.members!.find((m) => m.name === attr.fieldName);
      assert.equal(field?.attribute, attr.name, `${attr.name} names its property`);
      assert.ok(field.description, `property ${field.name} has no description`);
    }
  });

  it('gives each attribute the default the element uses while it is absent', () => {
    const expected = effectiveDefaults();
    for (const attr of element.attributes!) {
      if (!(attr.name in expected)) {
        assert.equal(attr.default, undefined, `${attr.name}: absent means none, not ${attr.default}`);
        continue;
      }
      assert.ok(attr.default !== undefined, `${attr.name} has no default`);
      const value = /^'.*'$/.test(attr.default) ? attr.default.slice(1, -1) : JSON.parse(attr.default);
      assert.equal(value, expected[attr.name], `default of ${attr.name}`);
    }
    const undocumented = element.attributes!.filter((a) => a.default === undefined).map((a) => a.name);
    assert.deepEqual(undocumented.sort(), ['persist', 'session-id', 'share', 'url']);
  });

  it('types numeric attributes as numbers and enumerated ones by their values', () => {
    const type = (name: string) => element.attributes!.find((a) => a.name === name)?.type?.text;
    assert.equal(type('max-attempts'), 'number');
    assert.equal(type('grace-period'), 'number');
    assert.equal(type('pause-hidden'), 'boolean');
    assert.equal(type('protocol'), "'plain' | 'session'");
    assert.equal(type('overlay'), "'toast' | 'modal' | 'none'");
  });

  it('names no type a user cannot import', () => {
    const exported = packageExports();
    const builtin = new Set(['string', 'number', 'boolean', 'null', 'undefined', 'void', 'unknown', 'Event']);
    const texts = JSON.stringify(modules).matchAll(/"text":"((?:[^"\\]|\\.)*)"/g);
    for (const [, text] of texts) {
      // Leave out string literals and the keys of object types (`{ status: … }`).
      const bare = text!.replace(/'[^']*'/g, '').replace(/[\w$]+\??:/g, '');
      const names = bare.match(/[A-Za-z_$][\w$]*/g) ?? [];
      for (const name of names) assert.ok(builtin.has(name) || exported.has(name), `type "${text}" names ${name}`);
    }
  });

  it('marks status and the getters read-only', () => {
    const member = (name: string) => element.members!.find((m) => m.name === name);
    assert.equal(member('status')?.readonly, true);
    assert.equal(member('statusDetail')?.readonly, true);
    assert.equal(member('queued')?.readonly, true);
    assert.equal(member('url')?.readonly, undefined);
  });

  it('lists every event class with its type and a description', () => {
    assert.ok(eventClasses.length >= 9);
    assert.deepEqual(element.events!.map((e) => e.name).sort(), eventClasses.map((e) => e.type).sort());
    const eventsModule = modules.find((m) => m.path === 'dist/events.js');
    for (const { name, type } of eventClasses) {
      const event = element.events!.find((e) => e.name === type)!;
      assert.equal(event.type?.text, name, `${type} is typed by its class`);
      assert.ok(event.description, `${type} has no description`);
      const declared = eventsModule?.declarations?.find((d) => d.name === name);
      assert.ok(declared, `${name} is declared in dist/events.js`);
      const detail = declared.members!.find((m) => m.name === 'detail');
      assert.match(detail?.type?.text ?? '', /^(\{.*\}|[A-Z]\w+)$/, `${name}.detail is typed`);
    }
  });

  it('lists nothing private', () => {
    for (const decl of modules.flatMap((m) => m.declarations ?? [])) {
      for (const m of decl.members ?? []) {
        assert.notEqual(m.privacy, 'private', `${decl.name}.${m.name}`);
        assert.ok(!m.name.startsWith('#'), `${decl.name}.${m.name}`);
      }
      assert.ok(!/^anonymous_/.test(decl.name), decl.name);
    }
  });

  it('points only at files in dist/', () => {
    for (const m of modules) {
      assert.match(m.path, /^dist\/.*\.js$/);
      assert.ok(existsSync(m.path), `${m.path} does not exist`);
    }
    for (const [module, at] of moduleReferences(modules, 'modules')) {
      assert.match(module, /^dist\/.*\.js$/, at);
      assert.ok(existsSync(module), `${module} (${at}) does not exist`);
    }
  });
});
