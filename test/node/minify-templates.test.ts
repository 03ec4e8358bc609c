import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a build script in plain JavaScript, without types
import { minifyCss, minifyHtml, minifyTemplates } from '../../scripts/minify-templates.mjs';

describe('minify-templates (build step)', () => {
  it('strips CSS whitespace and comments without touching values that need their spaces', () => {
    const css = `
  /* why */
  :host([hidden]) ::slotted(p) {
    margin: 0 auto;
    color: rgb(0 0 0 / 0.45);
    width: calc(100% - 2rem);
  }
  .a > .b, .c :is(.d) { font-family: a, b; }
`;
    assert.equal(
      minifyCss(css),
      ' :host([hidden]) ::slotted(p){margin:0 auto;color:rgb(0 0 0 / 0.45);width:calc(100% - 2rem)}.a>.b,.c :is(.d){font-family:a,b}',
    );
  });

  it('drops line-break whitespace between tags and keeps a space inside text', () => {
    assert.equal(minifyHtml('<div>\n  <p>a\n   b</p> <i>c</i>\n</div>'), '<div><p>a b</p> <i>c</i></div>');
  });

  it('changes only css`` and html`` literal parts, nested templates included, and no other strings', () => {
    const code =
      'const s = css `\n  a { b: c; }\n`;\n' +
      "const t = html `<div>\n  ${x ? html `<p>\n  ${'}'} </p>` : `keep\n  this`}\n</div>`;\n" +
      'const u = `other\n  text`;';
    assert.equal(
      minifyTemplates(code),
      'const s = css ` a{b:c}`;\n' +
        "const t = html `<div> ${x ? html `<p> ${'}'} </p>` : `keep\n  this`} </div>`;\n" +
        'const u = `other\n  text`;',
    );
  });
});
