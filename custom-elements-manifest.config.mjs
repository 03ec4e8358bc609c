// The analyzer reads the JSDoc on the element (@fires, @slot, @csspart, @cssprop).
export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/server/**', 'src/define.ts'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      name: 'documented-events-only',
      // Events are documented with @fires; the names it guesses from dispatchEvent(new X(d)) calls are not real.
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const decl of mod.declarations ?? []) {
            if (decl.events) decl.events = decl.events.filter((e) => e.name?.startsWith('session-'));
          }
        }
      },
    },
  ],
};
