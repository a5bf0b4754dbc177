// Reads ava's default-reporter output and prints the run's honest closing line, "N passed, N failed".
// ava prints "N tests passed" only when nothing failed, so passes are counted from the per-test
// "✔ title" lines (the summary line wins when present). Everything that is not a clean pass counts
// as failed: failed tests and hooks, known failures, skipped and todo tests (the project allows
// none), uncaught exceptions, unhandled rejections, tests left pending by a timeout, and a run that
// exited non-zero without saying why.
// Usage: node scripts/ava-summary.mjs LOGFILE [AVA_EXIT_STATUS]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** @returns {{ passed: number, failed: number }} */
export function summarise(output, exitStatus = 0) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes, which start with ESC.
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/);
  const total = (pattern) => {
    let sum = 0;
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) sum += Number(match[1]);
    }
    return sum;
  };
  const ticks = lines.filter((line) => /^\s*[✔√] (?!\[expected fail\])/.test(line)).length;
  const summaryPassed = total(/^\s*(\d+) tests? passed\s*(?:\[.*\])?$/);
  const passed = summaryPassed > 0 ? summaryPassed : ticks;
  let failed =
    total(/^\s*(\d+) tests? failed\b/) +
    total(/^\s*(\d+) hooks? failed\b/) +
    total(/^\s*(\d+) known failures?$/) +
    total(/^\s*(\d+) tests? skipped$/) +
    total(/^\s*(\d+) tests? todo$/) +
    total(/^\s*(\d+) unhandled rejections?$/) +
    total(/^\s*(\d+) uncaught exceptions?$/) +
    total(/^\s*(\d+) tests? remained pending after a timeout$/);
  if (failed === 0 && (exitStatus !== 0 || passed === 0)) failed = 1;
  return { passed, failed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, status = '0'] = process.argv.slice(2);
  const { passed, failed } = summarise(readFileSync(file, 'utf8'), Number(status));
  console.log(`${passed} passed, ${failed} failed`);
}
