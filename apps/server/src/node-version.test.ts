import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

interface LockFile {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
}
const claimed = (readJson('package.json') as { engines: { node: string } }).engines.node;
const lock = readJson('package-lock.json') as LockFile;

describe('the Node version the README and package.json claim', () => {
  it('is the one the README states', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(readme).toContain(`\`engines\`: \`${claimed}\``);
  });

  it('is supported by every installed package (npm install warns EBADENGINE otherwise)', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || wanted === undefined) return [];
      return semver.subset(claimed, wanted) ? [] : [`${path}@${entry.version}: ${wanted}`];
    });
    expect(refusing).toEqual([]);
  });
});
