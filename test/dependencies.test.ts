/**
 * Every package named in package.json is used: imported (or required) from a source file under
 * functions/, infra/, bin/, bench/ or test/. A dependency nothing imports is dead weight in every
 * install and every audit; remove it rather than list it here. The exceptions are the tools the
 * build and test configuration runs, which no source file imports. `@types/x` counts as used when
 * `x` is imported.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const SOURCE_DIRS = ['functions', 'infra', 'bin', 'bench', 'test'];

/** Packages used by tooling or configuration rather than by an import, with the reason. */
const USED_BY_TOOLING: Record<string, string> = {
  typescript: '`tsc --noEmit` in `npm test`; ts-jest compiles with it',
  jest: 'the test runner (`npm test`)',
  'ts-jest': 'the jest transform (jest.config.js)',
  'aws-cdk': 'the `cdk` CLI (`npm run synth`, cdk.json)',
  esbuild: 'bundles the Lambda handlers for NodejsFunction during `cdk synth`',
  '@types/node': 'ambient Node types for tsc',
  '@types/jest': 'ambient jest globals (describe, it, expect) for tsc',
  node: "Node 24 (the Lambda runtime's) first on the PATH of npm scripts, so `npm test` runs on it",
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'fixtures' || entry.name === 'cdk.out') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|cjs|mjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Package names in `from '...'`, `import('...')`, `require('...')` and `require.resolve('...')`. */
function importedPackages(source: string): Set<string> {
  const names = new Set<string>();
  const specifier = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(specifier)) {
    const spec = m[1];
    if (spec.startsWith('.') || spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return names;
}

describe('package.json dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const imported = new Set<string>();
  for (const dir of SOURCE_DIRS) for (const file of sourceFiles(join(ROOT, dir))) for (const name of importedPackages(readFileSync(file, 'utf8'))) imported.add(name);

  it('finds imports at all (the scanner works)', () => {
    expect(imported.has('zod')).toBe(true);
    expect(imported.has('@aws-sdk/client-dynamodb')).toBe(true);
    expect(importedPackages("import x from 'a/b'; const y = require('@s/p/q'); import('./rel');")).toEqual(new Set(['a', '@s/p']));
  });

  it.each(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }))('%s is imported somewhere (or used by tooling)', (name) => {
    const typesFor = name.startsWith('@types/') ? name.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2') : undefined;
    const used = imported.has(name) || name in USED_BY_TOOLING || (typesFor !== undefined && imported.has(typesFor));
    expect({ name, used }).toEqual({ name, used: true });
  });
});
