import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// test/browser/frameworks.test.ts runs the example files; the doc must show them as they are.
describe('docs/frameworks.md', () => {
  it('shows the tested React and Vue examples verbatim', () => {
    const doc = readFileSync('docs/frameworks.md', 'utf8');
    for (const file of ['docs/examples/react.js', 'docs/examples/vue.js']) {
      const code = readFileSync(file, 'utf8').trim();
      assert.ok(doc.includes(`\`\`\`js\n${code}\n\`\`\``), `${file} is not in docs/frameworks.md as written`);
    }
  });
});
