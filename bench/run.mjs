// `npm run bench`: prints tables. Ratios compare ours to a baseline measured side by side in this run.
import { microBenchmarks } from './micro.mjs';
import { sizes } from './size.mjs';

console.log('\nBundle size (bytes)');
console.table(sizes());
console.log('\nHot paths (median of 7 rounds, 200k ops each)');
console.table(microBenchmarks());
