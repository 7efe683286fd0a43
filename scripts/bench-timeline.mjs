// Benchmark: reading a three-year cycle's histories as a timeline (GET /cycles/:id/history's
// CPU part), against a baseline of only parsing the same history JSON, in the same run.
// Usage: npm run bench:timeline [-- --rounds 20]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { timelineOfExecutions } = require('../apps/api/dist/history/timeline.js');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 20;
const dir = new URL('../test/fixtures/histories/', import.meta.url).pathname;
const newest = (type, prefix) =>
  readdirSync(join(dir, type)).filter((f) => f.startsWith(prefix)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);

// A cycle's executions: 3 cycle runs and 36 months, texts as the API fetches them.
const cycleText = readFileSync(join(dir, 'planningCycle', newest('planningCycle', 'months-with-cause-action-and-change.')), 'utf8');
const monthTexts = ['', '-2', '-3', '-4'].map((suffix) => readFileSync(join(dir, 'monthlyReview', newest('monthlyReview', `months-with-cause-action-and-change${suffix}.v`)), 'utf8'));
const executions = [
  ...Array.from({ length: 3 }, (_, i) => ({ ref: { workflowId: 'cycle', runId: `run-${i}`, workflowType: 'planningCycle' }, text: cycleText })),
  ...Array.from({ length: 36 }, (_, i) => ({ ref: { workflowId: `month-${i}`, runId: `run-m${i}`, workflowType: 'monthlyReview' }, text: monthTexts[i % 4] })),
];

function time(fn) {
  const started = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const baseline = [];
const timeline = [];
let events = 0;
let entries = 0;
for (let round = 0; round < rounds; round += 1) {
  baseline.push(time(() => executions.map((e) => JSON.parse(e.text))).ms);
  const run = time(() => {
    const records = executions.map((e) => ({ execution: e.ref, history: JSON.parse(e.text) }));
    return { records, list: timelineOfExecutions(records).sort((a, b) => a.at.localeCompare(b.at)) };
  });
  timeline.push(run.ms);
  events = run.result.records.reduce((n, r) => n + r.history.events.length, 0);
  entries = run.result.list.length;
}
const b = median(baseline);
const t = median(timeline);
console.log(`timeline of a 3-year cycle: ${executions.length} executions, ${events} events → ${entries} entries; median of ${rounds} rounds`);
console.log(`  baseline (JSON.parse only): ${b.toFixed(1)} ms`);
console.log(`  parse + timeline + sort:    ${t.toFixed(1)} ms (${(t / b).toFixed(2)}× baseline, ${Math.round(events / (t / 1000)).toLocaleString('en')} events/s)`);
