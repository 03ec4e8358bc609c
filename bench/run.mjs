// `npm run bench`: prints tables. Ratios compare ours to a baseline measured side by side in this run.
import { microBenchmarks } from './micro.mjs';
import { sizes } from './size.mjs';
import { throughput } from './throughput.mjs';

console.log('\nBundle size (bytes)');
console.table(sizes());
console.log('\nHot paths (median of 7 rounds, 200k ops each)');
console.table(microBenchmarks());
const t = await throughput();
console.log('\nEcho over loopback: session protocol vs raw WebSocket (same client machine, interleaved rounds)');
console.table(t.echo);
console.log('\nResume');
console.table(t.resume);
