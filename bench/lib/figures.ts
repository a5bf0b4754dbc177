/**
 * What every benchmark reports: figures (a median over repeated runs), each with the baseline
 * measured in the same run, their ratio, the target and, when it is missed, the cause. Each
 * benchmark prints its lines and leaves its figures in bench/results/<name>.json for run.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Target {
  /** 'max': ratio must be at most `ratio`; 'min': at least. */
  kind: 'max' | 'min';
  ratio: number;
}

export interface Figure {
  /** e.g. "flow login+fetch". */
  label: string;
  value: number;
  unit: string;
  runs: number;
  /** 'median' for timings, 'total' for a throughput over one long run. */
  statistic: 'median' | 'total' | 'max';
  baseline?: { label: string; value: number };
  target?: Target;
  /** Set by the benchmark when the target is missed: what costs the difference. */
  cause?: string;
  /** Anything else the reader needs (what was measured, how). */
  note?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function ratioOf(figure: Figure): number | undefined {
  return figure.baseline && figure.baseline.value !== 0 ? figure.value / figure.baseline.value : undefined;
}

/** True, false, or undefined when the figure has no target. */
export function meetsTarget(figure: Figure): boolean | undefined {
  const ratio = ratioOf(figure);
  if (!figure.target || ratio === undefined) return undefined;
  return figure.target.kind === 'max' ? ratio <= figure.target.ratio : ratio >= figure.target.ratio;
}

export function formatNumber(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(1);
}

export function targetText(target: Target): string {
  return `${target.kind === 'max' ? '<=' : '>='} ${target.ratio}`;
}

/** One line: `flow login+fetch: median 41.2 ms (30 runs); baseline axios-only 35.0 ms; ratio 1.18 (target <= 1.25) OK`. */
export function formatFigure(figure: Figure): string {
  const runs = `${figure.runs} run${figure.runs === 1 ? '' : 's'}`;
  let line = `${figure.label}: ${figure.statistic} ${formatNumber(figure.value)} ${figure.unit} (${runs})`;
  const ratio = ratioOf(figure);
  if (figure.baseline)
    line += `; baseline ${figure.baseline.label} ${formatNumber(figure.baseline.value)} ${figure.unit}`;
  if (ratio !== undefined) line += `; ratio ${ratio.toFixed(2)}`;
  if (figure.target) line += ` (target ${targetText(figure.target)}) ${meetsTarget(figure) ? 'OK' : 'MISSED'}`;
  return line;
}

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

/** Prints the figures and saves them for run.ts. */
export function report(benchmark: string, figures: Figure[]): void {
  for (const figure of figures) {
    console.log(formatFigure(figure));
    if (figure.note) console.log(`  note: ${figure.note}`);
    if (figure.cause && meetsTarget(figure) === false) console.log(`  cause: ${figure.cause}`);
  }
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}${benchmark}.json`, `${JSON.stringify({ benchmark, figures }, null, 2)}\n`);
}

/** Milliseconds since `start` (performance.now()). */
export const since = (start: number) => performance.now() - start;
