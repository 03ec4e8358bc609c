import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import minifyTemplates from './scripts/minify-templates.mjs';

// tsc has already emitted dist/; rollup only packages it, so one compiler owns the TypeScript.
// minifyTemplates strips the whitespace of css`` and html`` templates, which terser leaves alone.
// Terser: a second compress pass and ES2020 output (the bundle already needs ES2022 for `#private`)
// measured 56 B gzip smaller (unsafe_arrows gained 1 B more, not worth the risk); property mangling stays
// off: lit's `_$` names are its cross-version API and `#private` fields are mangled already.
const minify = { ecma: 2020, compress: { passes: 2 }, format: { comments: false } };
// The element renders with lit-html but is not a LitElement: its shell, which the no-overlay bundle registers
// alone, is a ReactiveElement. `lit`'s index imports lit-html and LitElement for their side effects
// (registering their versions), which would keep them whole: LitElement in both bundles, lit-html in the
// no-overlay one, which draws nothing. The full bundle keeps lit-html's registration, as lit does.
const sideEffectsBut = (re) => ({ moduleSideEffects: (id) => !re.test(id) });
const treeshake = sideEffectsBut(/[\\/]lit-element[\\/]/);

export default [
  {
    input: 'dist/index.js',
    external: [/^lit/, /^@lit\//],
    plugins: [minifyTemplates()],
    output: { file: 'dist/bundle/reconnecting-session.esm.js', format: 'es', sourcemap: true },
  },
  {
    input: 'dist/index.js',
    plugins: [minifyTemplates(), nodeResolve({ browser: true })],
    treeshake,
    output: [
      {
        file: 'dist/bundle/reconnecting-session.min.js',
        format: 'es',
        sourcemap: true,
        plugins: [terser({ ...minify, module: true, toplevel: true })],
      },
      // For pages that cannot load modules: a classic script that registers the element and sets a global.
      {
        file: 'dist/bundle/reconnecting-session.iife.js',
        format: 'iife',
        name: 'ReconnectingSession',
        sourcemap: true,
        // Not toplevel: that would drop the global the script exists to set.
        plugins: [terser(minify)],
      },
    ],
  },
  // For pages with their own connection UI: the element without its overlay controller (src/no-overlay.ts).
  {
    input: 'dist/no-overlay.js',
    plugins: [nodeResolve({ browser: true })],
    treeshake: sideEffectsBut(/[\\/]lit-(html|element)[\\/]/),
    output: {
      file: 'dist/bundle/reconnecting-session.no-overlay.min.js',
      format: 'es',
      sourcemap: true,
      plugins: [terser({ ...minify, module: true, toplevel: true })],
    },
  },
];
