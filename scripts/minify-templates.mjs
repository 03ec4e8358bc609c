// Rollup plugin: strips the whitespace and comments of lit's css`` and html`` templates at build
// time. Only the literal parts change; `${…}` expressions (nested templates too) are kept as they
// are. HTML: whitespace containing a line break between two tags goes, other runs with a line break
// become one space (a line break between inline content renders as one space anyway). CSS:
// comments go, runs become one space, and the space around { } ; , > and after : goes.

export function minifyCss(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/ ?([{};,>]) ?/g, '$1')
    .replace(/: /g, ':')
    .replace(/;}/g, '}');
}

export function minifyHtml(text) {
  return text.replace(/>\s*\n\s*</g, '><').replace(/\s*\n\s*/g, ' ');
}

/** Where a `${…}` expression starting at `i` (just after `${`) ends: the index of its `}`. */
function skipExpression(code, i, out) {
  let depth = 0;
  for (; i < code.length; i++) {
    const c = code[i];
    if (c === "'" || c === '"') {
      const start = i;
      for (i++; i < code.length && code[i] !== c; i++) if (code[i] === '\\') i++;
      out.push(code.slice(start, i + 1));
      continue;
    }
    if (c === '`') {
      const tag = /(?:^|[^\w$.])(css|html)\s*$/.exec(code.slice(Math.max(0, i - 8), i))?.[1] ?? null;
      i = template(code, i + 1, tag, out) - 1;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
    out.push(c);
  }
  throw new Error('minify-templates: unterminated ${…}');
}

/** Copies the template literal whose body starts at `i` to `out` (minified if `tag` is set); returns the index after its closing backtick. */
function template(code, i, tag, out) {
  const minify = tag === 'css' ? minifyCss : tag === 'html' ? minifyHtml : (s) => s;
  out.push('`');
  let part = '';
  for (; i < code.length; i++) {
    const c = code[i];
    if (c === '\\') {
      part += c + code[++i];
      continue;
    }
    if (c === '`') {
      out.push(minify(part), '`');
      return i + 1;
    }
    if (c === '$' && code[i + 1] === '{') {
      out.push(minify(part), '${');
      part = '';
      i = skipExpression(code, i + 2, out);
      out.push('}');
      continue;
    }
    part += c;
  }
  throw new Error('minify-templates: unterminated template literal');
}

/** Minifies every css`` and html`` template in `code` (tsc output: no comments inside expressions that hold backticks). */
export function minifyTemplates(code) {
  const out = [];
  let last = 0;
  const re = /(?:^|[^\w$.])(css|html)\s*`/g;
  let m;
  while ((m = re.exec(code))) {
    const start = m.index + m[0].length;
    out.push(code.slice(last, start - 1));
    const end = template(code, start, m[1], out);
    last = end;
    re.lastIndex = end;
  }
  out.push(code.slice(last));
  return out.join('');
}

export default function minifyTemplatesPlugin() {
  return {
    name: 'minify-templates',
    transform(code, id) {
      if (id.includes('node_modules') || !/(?:css|html)\s*`/.test(code)) return null;
      return { code: minifyTemplates(code), map: null };
    },
  };
}
