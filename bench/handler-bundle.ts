/**
 * Lambda bundle size and cold load time of the handlers, as deployed.
 *
 *   node bin/run-ts.js bench/handler-bundle.ts [handler ...]     (default: sync-worker)
 *
 * Each handler in functions/handlers/ is bundled with esbuild the way infra/constructs/
 * sentinel-function.ts has CDK bundle it (bundle, minify, platform node, target node24, CJS, no
 * external modules), into a temp folder. Then, five times over, a fresh `node` process requires
 * the bundle, and an empty `node -e 0` runs beside it; the row gives the medians of the wall time
 * and of the process CPU time (user + system), each minus the empty node's. CPU time is the
 * steadier of the two on a busy machine. "Largest packages" is what esbuild reports as bytes in
 * the output per npm package. Nothing here is asserted: compare rows before and after a change
 * (docs/order-sync.md, "Why this SP-API client", has the SP-API client comparison made this way).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 5);
const handlers = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['sync-worker'];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wall and CPU milliseconds of a fresh node process running `code`. */
function nodeRun(code: string): { wallMs: number; cpuMs: number } {
  const started = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ['-e', `${code};const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))`]);
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, cpuMs: Number(out.toString()) };
}

function packageOf(input: string): string {
  const i = input.lastIndexOf('node_modules/');
  if (i < 0) return '(project)';
  return /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.slice(i))?.[1] ?? input;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-bundle-'));
  try {
    const rows: string[] = [];
    for (const name of handlers) {
      const outfile = join(dir, `${name}.js`);
      const result = await build({
        entryPoints: [resolve('functions/handlers', `${name}.ts`)],
        outfile,
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node24',
        format: 'cjs',
        metafile: true,
        logLevel: 'error',
      });
      const bytes: Record<string, number> = {};
      for (const output of Object.values(result.metafile.outputs)) {
        for (const [input, info] of Object.entries(output.inputs)) {
          bytes[packageOf(input)] = (bytes[packageOf(input)] ?? 0) + info.bytesInOutput;
        }
      }
      const packages = Object.entries(bytes).filter(([p, b]) => p !== '(project)' && b > 0);
      const empty: { wallMs: number; cpuMs: number }[] = [];
      const loaded: { wallMs: number; cpuMs: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        empty.push(nodeRun('0'));
        loaded.push(nodeRun(`require(${JSON.stringify(outfile)})`));
      }
      const wall = median(loaded.map((r) => r.wallMs)) - median(empty.map((r) => r.wallMs));
      const cpu = median(loaded.map((r) => r.cpuMs)) - median(empty.map((r) => r.cpuMs));
      const largest = packages.sort((a, b) => b[1] - a[1]).slice(0, 6).map(([p, b]) => `${p} ${(b / 1024).toFixed(0)}`).join(', ');
      rows.push(
        `${name.padEnd(14)} ${(statSync(outfile).size / 1024).toFixed(1).padStart(8)} kB  ${String(packages.length).padStart(3)} packages  ` +
          `cold require +${wall.toFixed(0)} ms wall, +${cpu.toFixed(0)} ms CPU (median of ${RUNS})  largest (kB): ${largest}`,
      );
    }
    console.log(rows.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
