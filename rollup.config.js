import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

// tsc has already emitted dist/; rollup only packages it, so one compiler owns the TypeScript.
export default [
  {
    input: 'dist/index.js',
    external: [/^lit/, /^@lit\//],
    output: { file: 'dist/bundle/reconnecting-session.esm.js', format: 'es', sourcemap: true },
  },
  {
    input: 'dist/index.js',
    plugins: [nodeResolve({ browser: true }), terser({ format: { comments: false } })],
    output: { file: 'dist/bundle/reconnecting-session.min.js', format: 'es', sourcemap: true },
  },
];
