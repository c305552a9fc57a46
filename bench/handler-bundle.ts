/**
 * Lambda bundle size and cold load time of the handlers, as deployed: the `bundles` section of
 * `npm run bench`, or alone:
 *
 *   node bin/run-ts.js bench/handler-bundle.ts [name ...]     (default: every function)
 *
 * The stack is synthesised with bundling into a temp cloud assembly (test/support/deployed-bundles.ts),
 * so each row is the asset's index.js that `cdk deploy` uploads, for every NodejsFunction of the
 * stack (new functions appear without a list to keep). Then, five times over, a fresh `node`
 * process in the asset folder, with the function's environment (NODE_OPTIONS=--enable-source-maps
 * included), requires the bundle and checks its handler export, and an empty `node -e 0` with the
 * same environment runs beside it; a row gives the medians of the wall time and of the process
 * CPU time (user + system), each minus the empty node's. CPU time is the steadier of the two on a
 * busy machine. "without maps" is the same load without --enable-source-maps: the price of
 * readable stack traces. Targets (issue 13): each bundle <= 800 kB and <= 60 ms beyond an empty node.
 */
import { lambdaEnvironment, measureLoad, synthesiseBundles } from '../test/support/deployed-bundles';

export const BUNDLE_TARGET_KB = 800;
export const BUNDLE_TARGET_MS = 60;

export interface BundleRow {
  name: string;
  kB: number;
  /** Source map beside the bundle (uploaded, read only when a stack trace is printed). */
  mapKB: number;
  /** Median load wall time beyond an empty node, with the function's NODE_OPTIONS. */
  loadMs: number;
  loadCpuMs: number;
  /** The same without --enable-source-maps. */
  loadMsWithoutMaps: number;
  runs: number;
  withinTargets: boolean;
}

export async function benchBundles(options: { names?: string[]; runs?: number; node?: string } = {}): Promise<BundleRow[]> {
  const runs = options.runs ?? Number(process.env.BENCH_BUNDLE_RUNS ?? 5);
  const synth = synthesiseBundles();
  try {
    const rows: BundleRow[] = [];
    for (const bundle of synth.bundles) {
      if (options.names?.length && !options.names.includes(bundle.name)) continue;
      process.stderr.write(`  load ${bundle.name}...\n`);
      const withMaps = await measureLoad(bundle, { runs, ...(options.node ? { node: options.node } : {}) });
      const env = lambdaEnvironment(bundle);
      env.NODE_OPTIONS = (env.NODE_OPTIONS ?? '').replace('--enable-source-maps', '').trim();
      const withoutMaps = await measureLoad(bundle, { runs, env, ...(options.node ? { node: options.node } : {}) });
      const kB = Math.round(bundle.bytes / 102.4) / 10;
      const loadMs = Math.round(withMaps.wallMs);
      rows.push({
        name: bundle.name,
        kB,
        mapKB: Math.round(bundle.mapBytes / 1024),
        loadMs,
        loadCpuMs: Math.round(withMaps.cpuMs),
        loadMsWithoutMaps: Math.round(withoutMaps.wallMs),
        runs,
        withinTargets: kB <= BUNDLE_TARGET_KB && loadMs <= BUNDLE_TARGET_MS,
      });
    }
    return rows;
  } finally {
    synth.cleanup();
  }
}

if (process.argv[1] === __filename) {
  benchBundles({ names: process.argv.slice(2) })
    .then((rows) => {
      console.log(`bundles (as synthesised; load = ms beyond an empty node, median of ${rows[0]?.runs ?? 0} fresh processes; targets <= ${BUNDLE_TARGET_KB} kB, <= ${BUNDLE_TARGET_MS} ms)`);
      console.table(rows);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
