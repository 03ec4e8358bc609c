// web-test-runner plugin: React and Vue for the framework examples (docs/examples/), as a bundler would give
// them to an application. React ships CommonJS only, so esbuild turns it into one ES module (one copy of React
// shared by react and react-dom/client); Vue is served as its browser ES build.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

const PREFIX = '/__frameworks__/';
const names = { react: 'React', 'react-dom/client': 'ReactDOMClient' };

// In a child process: React's development build uses console methods the runner's console does not have.
const identifiers = (name) =>
  JSON.parse(execFileSync(process.execPath, ['-p', `JSON.stringify(Object.keys(require('${name}')))`])).filter((k) =>
    /^[A-Za-z_$][\w$]*$/.test(k),
  );

async function bundleReact() {
  const entry = Object.entries(names)
    .map(([pkg, local]) => `import ${local} from '${pkg}'; export { ${local} };`)
    .join('\n');
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'esm',
    write: false,
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

export function frameworksPlugin() {
  let shared;
  return {
    name: 'frameworks',
    resolveImport({ source }) {
      if (source in names) return `${PREFIX}${source}.js`;
      if (source === 'vue') return '/node_modules/vue/dist/vue.esm-browser.js';
      // The examples import the package by name; the tests run it from source, as the other browser tests do.
      if (source === 'reconnecting-session') return '/src/index.ts';
    },
    async serve({ path }) {
      if (!path.startsWith(PREFIX)) return;
      const name = path.slice(PREFIX.length, -'.js'.length);
      if (name === 'shared') {
        shared ??= bundleReact();
        return { body: await shared, type: 'js' };
      }
      if (!(name in names)) return;
      const local = names[name];
      const keys = identifiers(name);
      return {
        body: `import { ${local} } from '${PREFIX}shared.js';\nexport const { ${keys.join(', ')} } = ${local};\nexport default ${local};\n`,
        type: 'js',
      };
    },
  };
}
