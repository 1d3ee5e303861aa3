import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Source text as the repo's formatter and linter leave it (`biome check --write`: formatted, imports sorted). */
export function formatSource(text: string, path: string): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  const result = spawnSync(process.execPath, [biome, 'check', '--write', `--stdin-file-path=${path}`], {
    input: text,
    encoding: 'utf8',
    cwd: dirname(path),
  });
  if (result.status !== 0) throw new Error(`biome could not format the text generated for ${path}:\n${result.stderr}`);
  return result.stdout;
}

/**
 * A generated file as it is and as it should be (`text`, formatted). With `WRITE_GENERATED=1`
 * (what the `generate:schema` scripts set) the file is written first, so the two agree; a test
 * compares them otherwise, and fails while the file is stale.
 */
export function generatedFile(file: URL, text: string): { current: string | null; expected: string } {
  const path = fileURLToPath(file);
  const expected = formatSource(text, path);
  if (process.env.WRITE_GENERATED === '1') writeFileSync(path, expected);
  return { current: existsSync(path) ? readFileSync(path, 'utf8') : null, expected };
}
