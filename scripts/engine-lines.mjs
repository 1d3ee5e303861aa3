// `node scripts/engine-lines.mjs`: how much hand-written code is engine-specific (issue 21's
// measure). Counts every non-test TypeScript file under an `engines/` folder of a package, by
// engine: all lines, and code lines (neither blank nor comment). Generated files are not
// hand-written and are not under engines/; the one table description (`src/schema.ts`) is
// counted apart, as it is SQLite's terms for both engines.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const files = execFileSync('git', ['ls-files', 'packages/*/src/**/engines/**.ts', 'packages/*/src/engines/**.ts'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && !file.endsWith('.test.ts'));

/** Lines that are neither blank nor inside a comment. */
function codeLines(text) {
  let count = 0;
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      inBlock = !line.includes('*/');
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/');
      continue;
    }
    count++;
  }
  return count;
}

const engineOf = (file) => /engines\/(postgres|sqlite)/.exec(file)?.[1] ?? 'shared test support';
const totals = new Map();
for (const file of new Set(files)) {
  const text = readFileSync(file, 'utf8');
  const engine = engineOf(file);
  const total = totals.get(engine) ?? { files: 0, lines: 0, code: 0 };
  total.files++;
  total.lines += text.split('\n').length - 1;
  total.code += codeLines(text);
  totals.set(engine, total);
  console.log(
    `${engine.padEnd(20)} ${String(text.split('\n').length - 1).padStart(5)} ${String(codeLines(text)).padStart(5)}  ${file}`,
  );
}
console.log('');
for (const [engine, { files: count, lines, code }] of totals) {
  console.log(`${engine}: ${count} files, ${lines} lines, ${code} code lines`);
}
