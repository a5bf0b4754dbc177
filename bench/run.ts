/**
 * `npm run bench`: runs every benchmark in its own process (so one cannot warm or load another),
 * prints their lines, then rewrites bench/README.md with the results table, the machine it ran on
 * and every missed target with its cause.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatNumber, meetsTarget, ratioOf, targetText, type Figure } from './lib/figures.js';
import { machineInfo } from './lib/machine-info.js';

const BENCHMARKS = ['flow-overhead', 'startup', 'token-startup', 'items-scale', 'machine', 'server-load'];
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

const before = machineInfo();
const started = performance.now();
const results: Array<{ benchmark: string; figures: Figure[]; error?: string }> = [];
// --report-only: rewrite the README from the last results without running anything.
const reportOnly = process.argv.includes('--report-only');
for (const benchmark of BENCHMARKS) {
  if (reportOnly) {
    results.push(JSON.parse(readFileSync(`${here}results/${benchmark}.json`, 'utf8')));
    continue;
  }
  console.log(`\n# ${benchmark}`);
  rmSync(`${here}results/${benchmark}.json`, { force: true });
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${benchmark}.ts`], {
    cwd: root,
    stdio: 'inherit',
    timeout: 10 * 60_000,
  });
  try {
    results.push(JSON.parse(readFileSync(`${here}results/${benchmark}.json`, 'utf8')));
  } catch {
    results.push({ benchmark, figures: [], error: `exited ${run.status ?? run.signal} without results` });
  }
}
const after = machineInfo();
const minutes = (performance.now() - started) / 60_000;

const cell = (text: string) => text.replace(/\|/g, '\\|');
const rows = results.flatMap(({ benchmark, figures, error }) =>
  error
    ? [`| ${benchmark} | failed: ${cell(error)} | | | | | |`]
    : figures.map((f) => {
        const ratio = ratioOf(f);
        const verdict = meetsTarget(f);
        return `| ${cell(f.label)} | ${formatNumber(f.value)} ${f.unit} | ${f.statistic}, ${f.runs} run${f.runs === 1 ? '' : 's'} | ${f.baseline ? `${cell(f.baseline.label)}: ${formatNumber(f.baseline.value)} ${f.unit}` : '-'} | ${ratio === undefined ? '-' : ratio.toFixed(2)} | ${f.target ? targetText(f.target) : '-'} | ${verdict === undefined ? '-' : verdict ? 'met' : '**missed**'} |`;
      }),
);
const missed = results.flatMap(({ figures }) => figures.filter((f) => meetsTarget(f) === false));
const failed = results.filter((r) => r.error);
const notes = results.flatMap(({ figures }) => figures.filter((f) => f.note).map((f) => `- **${f.label}**: ${f.note}`));

const analysis = readFileSync(`${here}analysis.md`, 'utf8').trim();
const readme = `# Benchmarks

\`npm run bench\` builds the package, runs every benchmark below in its own process on loopback
only (the embedded Pocket emulator, no network) and rewrites this file. Each figure is the median
of repeated runs unless marked otherwise, with a baseline measured in the same run.

| figure | value | statistic | baseline | ratio | target | result |
|---|---|---|---|---|---|---|
${rows.join('\n')}

## Missed targets
${missed.length === 0 && failed.length === 0 ? 'None.' : [...missed.map((f) => `- **${f.label}** (ratio ${ratioOf(f)!.toFixed(2)}, target ${targetText(f.target!)}): ${f.cause ?? 'cause not recorded.'}`), ...failed.map((r) => `- **${r.benchmark}** did not finish: ${r.error}`)].join('\n')}

## What each figure measures
${notes.join('\n')}

## Machine
- ${before.cpus} CPUs: ${before.cpuModel}
- ${before.memoryGiB} GiB memory
- Node ${before.node}
- ${before.date} (took ${minutes.toFixed(1)} min)
- Load average (1, 5, 15 min) before: ${before.loadAverage.join(', ')}; after: ${after.loadAverage.join(', ')}.
  Anything above the CPU count means other work shared the machine and every figure is noisier.

${analysis}
`;
writeFileSync(`${here}README.md`, readme);
// Biome formats Markdown too (CI runs `biome ci`): align the table as it would.
spawnSync(process.execPath, [`${root}node_modules/@biomejs/biome/bin/biome`, 'format', '--write', 'bench/README.md'], {
  cwd: root,
  stdio: 'ignore',
});
console.log(
  `\nWrote bench/README.md (${missed.length} missed target${missed.length === 1 ? '' : 's'}, ${failed.length} failed).`,
);
if (failed.length > 0) process.exitCode = 1;
