// `node scripts/engine-lines.mjs`: how much hand-written code is engine-specific (issue 21's
// measure). Counts every non-test TypeScript file under an `engines/` folder of a package, by
// engine: all lines, and code lines (neither blank nor comment). Generated files (PostgreSQL's
// schemas) and test support are listed apart; the one table description of each package
// (`src/schema.ts`, in SQLite's terms) is not under engines/ and not counted.
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

/** Test support opens engines for tests; a generated file is written by a command, not by hand. */
const kindOf = (file, text) => {
  if (text.startsWith('// Generated')) return 'generated (not counted)';
  if (/(^|\/)testing\.ts$/.test(file)) return 'test support';
  return /engines\/(postgres|sqlite)/.exec(file)?.[1] ?? 'test support';
};
const totals = new Map();
for (const file of new Set(files)) {
  const text = readFileSync(file, 'utf8');
  const engine = kindOf(file, text);
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
