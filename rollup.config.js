import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import minifyTemplates from './scripts/minify-templates.mjs';

// tsc has already emitted dist/; rollup only packages it, so one compiler owns the TypeScript.
// minifyTemplates strips the whitespace of css`` and html`` templates, which terser leaves alone.
export default [
  {
    input: 'dist/index.js',
    external: [/^lit/, /^@lit\//],
    plugins: [minifyTemplates()],
    output: { file: 'dist/bundle/reconnecting-session.esm.js', format: 'es', sourcemap: true },
  },
  {
    input: 'dist/index.js',
    plugins: [minifyTemplates(), nodeResolve({ browser: true }), terser({ format: { comments: false } })],
    output: [
      { file: 'dist/bundle/reconnecting-session.min.js', format: 'es', sourcemap: true },
      // For pages that cannot load modules: a classic script that registers the element and sets a global.
      {
        file: 'dist/bundle/reconnecting-session.iife.js',
        format: 'iife',
        name: 'ReconnectingSession',
        sourcemap: true,
      },
    ],
  },
];
