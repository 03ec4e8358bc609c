// Analyzer plugin: the element's attributes and setting properties come from the settings table
// (src/settings.ts), which the element turns into its `static properties` at run time, where the analyzer
// cannot see them. Each row's doc comment gives the description (and `@default`, `@type`, `@readonly` where
// the row itself cannot say them); the built table (dist/settings.js) gives names, kinds and defaults.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const TABLE = 'src/settings.ts';
const BUILT = 'dist/settings.js';
const SHELL = 'ReconnectingSessionBase';

const literal = (v) => (typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `'${v.join(',')}'` : String(v));

function rowDoc(ts, node) {
  const doc = {
    description: ts.getJSDocCommentsAndTags(node).map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')[0],
  };
  for (const tag of ts.getJSDocTags(node)) {
    const name = tag.tagName.text;
    if (name === 'type' && tag.typeExpression) doc.type = tag.typeExpression.type.getText();
    else if (name === 'default') doc.default = ts.getTextOfJSDocComment(tag.comment)?.trim();
    else if (name === 'readonly') doc.readonly = true;
  }
  return doc;
}

/** The property's TypeScript type, as SettingValues in src/settings.ts works it out. */
const propertyType = (row, doc) =>
  row.flag
    ? 'boolean'
    : row.min !== undefined
      ? 'string | number | null'
      : 'initial' in row
        ? doc.type
        : 'string | null';

/** The attribute's value syntax. */
const attributeType = (row, doc) =>
  doc.type ??
  (row.flag
    ? 'boolean'
    : row.min !== undefined
      ? 'number'
      : row.options
        ? row.options.map((o) => `'${o}'`).join(' | ')
        : 'string');

// The analyzer does not wait for a plugin's promise: the table is loaded with the configuration.
const built = existsSync(BUILT) ? await import(pathToFileURL(BUILT).href) : null;

export default function settingsTable() {
  const docs = new Map();
  return {
    name: 'settings-table',
    analyzePhase({ ts, node, moduleDoc }) {
      if (moduleDoc.path.replace(/^\//, '') !== TABLE) return;
      if (!ts.isVariableDeclaration(node) || node.name.getText() !== 'SETTINGS') return;
      let table = node.initializer;
      while (ts.isSatisfiesExpression(table) || ts.isAsExpression(table)) table = table.expression;
      for (const prop of table.properties) docs.set(prop.name.getText(), rowDoc(ts, prop));
    },
    packageLinkPhase({ customElementsManifest }) {
      if (!built) throw new Error(`settings-table: ${BUILT} is missing; run npm run build`);
      const { SETTINGS, attributeName } = built;
      const modules = customElementsManifest.modules;
      const tableModule = modules.findIndex((m) => m.path.replace(/^\//, '') === TABLE);
      const shellModule = modules.find((m) => m.declarations?.some((d) => d.name === SHELL));
      if (tableModule >= 0) modules.splice(tableModule, 1);
      for (const decl of modules.flatMap((m) => m.declarations ?? [])) {
        if (decl.kind !== 'class' || (decl.name !== SHELL && decl.superclass?.name !== SHELL)) continue;
        const inheritedFrom = decl.name === SHELL ? undefined : { name: SHELL, module: shellModule?.path };
        const fields = [];
        decl.attributes = [];
        for (const [name, row] of Object.entries(SETTINGS)) {
          const doc = docs.get(name) ?? {};
          const attribute = attributeName(name);
          const effective = row.default ?? (row.flag ? false : row.initial);
          decl.attributes.push({
            name: attribute,
            type: { text: attributeType(row, doc) },
            ...((doc.default ?? effective) !== undefined && { default: doc.default ?? literal(effective) }),
            description: doc.description,
            fieldName: name,
          });
          fields.push({
            kind: 'field',
            name,
            privacy: 'public',
            type: { text: propertyType(row, doc) },
            default: literal(row.flag ? false : (row.initial ?? null)),
            description: doc.description,
            ...(doc.readonly && { readonly: true }),
            attribute,
            ...(row.reflect && { reflects: true }),
            ...(inheritedFrom && { inheritedFrom }),
          });
        }
        decl.members = [...fields, ...(decl.members ?? []).filter((m) => !(m.name in SETTINGS))];
      }
    },
  };
}
