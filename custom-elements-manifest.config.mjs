import settingsTable from './scripts/cem-settings.mjs';

// custom-elements.json for editors and Storybook: the element's modules only, described as the package
// ships them (paths into dist/, no private members, no type names a user cannot import).
// The attributes and their properties come from the settings table (scripts/cem-settings.mjs): each gets the
// value in effect while the attribute is absent as its default (the property itself stays null until set, so
// its initial value is not the default a page author needs).

/** JSDoc tags of a node, by name: `@type {number}` → { type: 'number' }, `@default 6` → { default: '6' }. */
function jsDocTags(ts, node) {
  const tags = {};
  for (const tag of ts.getJSDocTags(node)) {
    const name = tag.tagName.text;
    if (name === 'type' && tag.typeExpression) tags.type = tag.typeExpression.type.getText();
    else if (name === 'default') tags.default = ts.getTextOfJSDocComment(tag.comment)?.trim();
  }
  return tags;
}

const isExported = (ts, node) => node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;

/** `src/x.ts`, `/src/x.js`, `./x.js` (relative to `from`) → `dist/x.js`: the module as the package ships it. */
function distPath(specifier, from) {
  let path = specifier.replace(/^\//, '');
  if (specifier.startsWith('.')) {
    const parts = from.split('/').slice(0, -1);
    for (const part of specifier.split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '.') parts.push(part);
    }
    path = parts.join('/');
  }
  return path.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js');
}

function withDistPaths(value, from) {
  if (Array.isArray(value)) return value.forEach((v) => withDistPaths(v, from));
  if (!value || typeof value !== 'object') return;
  if (typeof value.module === 'string') value.module = distPath(value.module, from);
  for (const child of Object.values(value)) withDistPaths(child, from);
}

function publicPackage() {
  /** Per module path: unexported type aliases, type-only export names, and what JSDoc says of each member. */
  const aliases = new Map();
  const typeOnly = new Map();
  const members = new Map();
  const eventDetails = new Map();

  return {
    name: 'public-package',
    analyzePhase({ ts, node, moduleDoc }) {
      const path = moduleDoc.path;
      if (ts.isTypeAliasDeclaration(node) && !isExported(ts, node)) {
        if (!aliases.has(path)) aliases.set(path, new Map());
        aliases.get(path).set(node.name.text, node.type.getText());
      }
      if (ts.isExportDeclaration(node)) {
        if (!typeOnly.has(path)) typeOnly.set(path, new Set());
        const names = typeOnly.get(path);
        if (node.isTypeOnly) {
          if (!node.exportClause) names.add(`* from ${distPath(node.moduleSpecifier.text, path)}`);
          else for (const e of node.exportClause.elements ?? []) names.add(e.name.text);
        } else {
          for (const e of node.exportClause?.elements ?? []) if (e.isTypeOnly) names.add(e.name.text);
        }
      }
      if (ts.isClassDeclaration(node) && node.name) {
        const heritage = node.heritageClauses?.[0]?.types[0];
        // The events' shared base is internal: name the detail type each event carries instead.
        if (heritage?.expression.getText() === 'DetailEvent' && heritage.typeArguments?.length === 1)
          eventDetails.set(node.name.text, heritage.typeArguments[0].getText());
        for (const member of node.members) {
          if (!member.name || ts.isPrivateIdentifier(member.name)) continue;
          const key = `${node.name.text}.${member.name.getText()}`;
          members.set(key, { declared: member.type?.getText(), ...jsDocTags(ts, member) });
        }
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        // A subclass's inherited members keep the type aliases of the module that declares them.
        const local = new Map([...aliases.values()].flatMap((m) => [...m]));
        const inline = (text) => {
          let out = text;
          for (const [name, def] of local) {
            if (out === name) out = def;
            else out = out.replace(new RegExp(`\\b${name}\\b`, 'g'), `(${def})`);
          }
          return out;
        };
        const hidden = typeOnly.get(mod.path) ?? new Set();
        mod.exports = (mod.exports ?? []).filter(
          (e) =>
            !hidden.has(e.name) &&
            !(e.name === '*' && hidden.has(`* from ${distPath(e.declaration?.module ?? '', mod.path)}`)),
        );
        // define.ts registers `class extends ReconnectingSessionElement {}` under a tag chosen at run time.
        const anonymous = (name) => /^anonymous_\d+$/.test(name ?? '');
        mod.declarations = (mod.declarations ?? []).filter((d) => !anonymous(d.name));
        mod.exports = mod.exports.filter((e) => !anonymous(e.declaration?.name));
        for (const decl of mod.declarations) {
          if (decl.kind !== 'class') continue;
          // Protected members are the shell's hooks for its subclass, not the element's API.
          decl.members = (decl.members ?? []).filter(
            (m) => m.privacy !== 'private' && m.privacy !== 'protected' && !m.name.startsWith('#'),
          );
          const detail = eventDetails.get(decl.name);
          if (detail) {
            decl.superclass = { name: 'Event', package: 'global:' };
            for (const m of decl.members) {
              delete m.inheritedFrom;
              if (m.name === 'detail') {
                m.type = { text: detail };
                delete m.default;
              }
              // `static readonly type = 'session-status'`: the literal is the type a listener can rely on.
              if (m.name === 'type' && m.static && /^'[^']*'$/.test(m.default ?? '')) m.type = { text: m.default };
            }
          }
          for (const field of decl.members) {
            const doc = members.get(`${field.inheritedFrom?.name ?? decl.name}.${field.name}`);
            if (!doc) continue;
            // The field keeps its TypeScript type (the @type tag describes the attribute's value).
            if (doc.declared) field.type = { text: inline(doc.declared) };
            else if (doc.type && field.kind === 'field' && !field.attribute) field.type = { text: doc.type };
            if (field.type) field.type.text = inline(field.type.text);
          }
          for (const attr of decl.attributes ?? []) {
            // Only the schema's attribute fields: `readonly` and friends belong to the property.
            for (const key of Object.keys(attr))
              if (!['name', 'summary', 'description', 'type', 'default', 'fieldName', 'deprecated'].includes(key))
                delete attr[key];
          }
          // Events are documented with @fires; the names it guesses from dispatchEvent(new X(d)) calls are not real.
          if (decl.events) decl.events = decl.events.filter((e) => e.name?.startsWith('session-'));
        }
      }
      for (const mod of customElementsManifest.modules) {
        withDistPaths(mod.declarations, mod.path);
        withDistPaths(mod.exports, mod.path);
        mod.path = distPath(mod.path, '');
      }
    },
  };
}

export default {
  // The element (and the shell it extends), its events and its define helper: the client and server APIs are
  // described by their .d.ts.
  globs: [
    'src/index.ts',
    'src/settings.ts',
    'src/reconnecting-session-base.ts',
    'src/reconnecting-session.ts',
    'src/events.ts',
    'src/define.ts',
  ],
  outdir: '.',
  litelement: true,
  plugins: [settingsTable(), publicPackage()],
};
