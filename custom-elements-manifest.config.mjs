export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/server/**'],
  outdir: '.',
  litelement: true,
};
