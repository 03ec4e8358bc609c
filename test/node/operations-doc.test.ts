import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMetrics } from '../../src/server/metrics.js';
import { MemoryStore } from '../../src/server/store/memory-store.js';
import { startServer } from './support.js';

/** Every metric name the library exports, with a histogram's series names. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = await createMetrics();
  const { server } = await startServer({ store: metrics.instrumentStore(new MemoryStore()) });
  metrics.observe(server);
  try {
    const names = new Set<string>();
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      names.add(m.name);
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    }
    return names;
  } finally {
    await server.close();
  }
}

const referenced = (text: string) => new Set(text.match(/reconnecting_session_[a-z_]+/g) ?? []);

describe('docs/operations.md and docs/grafana-dashboard.json', () => {
  it('the dashboard parses, has panels with queries, and asks only for metrics the library exports', async () => {
    const names = await exportedNames();
    const dashboard = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8')) as {
      title: string;
      panels: { title: string; targets: { expr: string }[] }[];
    };
    assert.equal(dashboard.title, 'reconnecting-session');
    assert.ok(dashboard.panels.length >= 5);
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, panel.title);
      for (const { expr } of panel.targets) {
        const used = referenced(expr);
        assert.ok(used.size > 0, `${panel.title}: ${expr}`);
        for (const name of used) assert.ok(names.has(name), `${panel.title}: ${name} is not exported`);
      }
    }
  });

  it('every metric the docs name exists, and every exported metric is described', async () => {
    const names = await exportedNames();
    const doc = readFileSync('docs/operations.md', 'utf8');
    for (const name of referenced(doc)) assert.ok(names.has(name), `docs/operations.md names ${name}`);
    const table = new Set([...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => `reconnecting_session_${m[1]}`));
    for (const name of names) {
      if (/_(bucket|sum|count)$/.test(name)) continue;
      assert.ok(table.has(name), `${name} is missing from the metrics table`);
    }
  });
});
