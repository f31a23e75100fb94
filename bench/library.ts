/**
 * The library as a host runs it: the built package in dist/ (`npm run bench` builds it first), not the
 * sources through tsx, whose transform adds its own cost to every call. `BENCH_SOURCE=1` measures
 * src/ instead. The types come from src/ either way.
 */
const from = process.env.BENCH_SOURCE ? '../src' : '../dist';
const entry = (name: string) => (process.env.BENCH_SOURCE ? `${from}/${name === 'index' ? 'index' : `entries/${name}`}.js` : `${from}/${name}.js`);

export const lib = (await import(entry('index'))) as typeof import('../src/index.js');
export const ops = (await import(entry('ops'))) as typeof import('../src/entries/ops.js');
export const prometheus = (await import(entry('prometheus'))) as typeof import('../src/entries/prometheus.js');
export const opentelemetry = (await import(entry('opentelemetry'))) as typeof import('../src/entries/opentelemetry.js');
