/** Reading a Prometheus scrape in tests: `name{labels}` → value. */
export type Scrape = Map<string, number>;

export function parseScrape(text: string): Scrape {
  const values: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** How much each series moved from `before` to `after` (series new in `after` count from 0). */
export function moved(before: Scrape, after: Scrape): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const [key, value] of after) deltas.set(key, value - (before.get(key) ?? 0));
  return deltas;
}

export const series = (name: string, labels: Record<string, string> = {}) => {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `reconnecting_session_${name}${inner ? `{${inner}}` : ''}`;
};
