/**
 * The Lambda bundles exactly as CDK builds them for a deployment: the stack is synthesised (with
 * bundling: NodejsFunction runs the local esbuild) into a temp cloud assembly, and every
 * NodejsFunction of the stack is found with the asset folder its template code points at.
 * Used by the bundled-handler test (test/bundles) and by `npm run bench` (its `bundles` section),
 * so both see what `cdk deploy` would upload, new functions included without a list to keep.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SentinelFunction } from '../../infra/constructs/sentinel-function';
import { SentinelStack } from '../../infra/sentinel-stack';

export interface DeployedBundle {
  /** The handler file's name without `.ts` for a SentinelFunction (`inbound-mail`), else the construct path. */
  name: string;
  /** Construct path below the stack, e.g. `InboundMail/Intake`. */
  path: string;
  logicalId: string;
  /** The asset folder CDK uploads (what the runtime unzips into /var/task). */
  assetDir: string;
  /** The bundle file the handler lives in (index.js, or index.mjs for ESM). */
  file: string;
  bytes: number;
  /** Bytes of the source map beside it, 0 if none. */
  mapBytes: number;
  /** The Lambda runtime, e.g. `nodejs24.x`. */
  runtime: string;
  /** The exported handler's name (`index.handler` -> `handler`). */
  exportName: string;
  /** The function's environment from the template; CloudFormation references stay objects. */
  environment: Record<string, unknown>;
}

export interface SynthesisedBundles {
  outdir: string;
  stackName: string;
  bundles: DeployedBundle[];
  /** Removes the temp cloud assembly. */
  cleanup(): void;
}

/** Synthesise the stack with bundling into a new temp folder (takes some seconds: esbuild per function). */
export function synthesiseBundles(context: Record<string, unknown> = {}): SynthesisedBundles {
  const outdir = mkdtempSync(join(tmpdir(), 'sentinel-assembly-'));
  const app = new App({ outdir, context });
  const stack = new SentinelStack(app, 'Bundles');
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const bundles: DeployedBundle[] = [];
  for (const fn of stack.node.findAll()) {
    if (!(fn instanceof NodejsFunction)) continue;
    const cfn = fn.node.defaultChild as CfnFunction;
    const logicalId = Stack.of(fn).getLogicalId(cfn);
    const props = template.Resources[logicalId]?.Properties;
    if (!props) throw new Error(`${fn.node.path}: no ${logicalId} in the template`);
    const key = props.Code?.S3Key;
    if (typeof key !== 'string' || !key.endsWith('.zip')) throw new Error(`${fn.node.path}: code is not a zip asset (${JSON.stringify(props.Code)})`);
    const assetDir = join(outdir, `asset.${key.slice(0, -'.zip'.length)}`);
    const [module, exportName] = String(props.Handler).split('.');
    const file = ['.js', '.mjs', '.cjs'].map((ext) => join(assetDir, `${module}${ext}`)).find((f) => existsSync(f));
    if (!file) throw new Error(`${fn.node.path}: no ${module}.js in ${assetDir}`);
    const path = fn.node.path.split('/').slice(1).join('/');
    bundles.push({
      name: fn instanceof SentinelFunction ? fn.handlerFile.replace(/\.ts$/, '') : path,
      path,
      logicalId,
      assetDir,
      file,
      bytes: statSync(file).size,
      mapBytes: existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0,
      runtime: String(props.Runtime),
      exportName: exportName ?? 'handler',
      environment: (props.Environment?.Variables ?? {}) as Record<string, unknown>,
    });
  }
  return { outdir, stackName: stack.stackName, bundles, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/**
 * The environment a bundle is loaded with outside AWS: the function's own variables (NODE_OPTIONS
 * included, so source maps cost what they cost deployed), every CloudFormation reference replaced
 * by `overrides` or a placeholder, and what the Lambda runtime sets (region, function name).
 */
export function lambdaEnvironment(bundle: DeployedBundle, overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: bundle.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    TZ: ':UTC',
  };
  for (const [k, v] of Object.entries(bundle.environment)) env[k] = typeof v === 'string' ? v : placeholder(k);
  return { ...env, ...overrides };
}

/** A stand-in for a value CloudFormation fills in at deploy time, of the right shape. */
function placeholder(name: string): string {
  const id = name.toLowerCase().replace(/_/g, '-');
  if (name.endsWith('_ARN')) return `arn:aws:sns:us-east-1:123456789012:${id}`;
  if (name.endsWith('_URL')) return `https://sqs.us-east-1.amazonaws.com/123456789012/${id}`;
  return id;
}

export interface LoadTiming {
  wallMs: number;
  cpuMs: number;
}

function nodeRun(node: string, code: string, env: Record<string, string>, cwd: string): Promise<LoadTiming> {
  const script = `${code};const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))`;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    execFile(node, ['-e', script], { env, cwd }, (err, stdout, stderr) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (err) reject(new Error(`${code}: ${stderr || err.message}`));
      else resolve({ wallMs, cpuMs: Number(stdout) });
    });
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface LoadResult {
  /** Median wall and CPU time of loading the bundle, minus those of an empty node process. */
  wallMs: number;
  cpuMs: number;
  emptyWallMs: number;
  runs: number;
}

/**
 * Cold load of a bundle: `runs` fresh node processes (in the asset folder, with the function's
 * environment) require it and check the handler is exported; beside each, an empty node process
 * with the same environment. Medians, the empty one subtracted.
 */
export async function measureLoad(bundle: DeployedBundle, options: { runs?: number; node?: string; env?: Record<string, string> } = {}): Promise<LoadResult> {
  const runs = options.runs ?? 5;
  const node = options.node ?? process.execPath;
  const env = options.env ?? lambdaEnvironment(bundle);
  const load = bundle.file.endsWith('.mjs')
    ? `import(${JSON.stringify(bundle.file)}).then((m)=>{if(typeof m[${JSON.stringify(bundle.exportName)}]!=='function')process.exit(3)})`
    : `if(typeof require(${JSON.stringify(bundle.file)})[${JSON.stringify(bundle.exportName)}]!=='function')process.exit(3)`;
  const empty: LoadTiming[] = [];
  const loaded: LoadTiming[] = [];
  // One unmeasured run first: the file cache is warm for every measured run alike.
  await nodeRun(node, load, env, bundle.assetDir);
  for (let i = 0; i < runs; i++) {
    empty.push(await nodeRun(node, '0', env, bundle.assetDir));
    loaded.push(await nodeRun(node, load, env, bundle.assetDir));
  }
  const emptyWall = median(empty.map((r) => r.wallMs));
  return {
    wallMs: median(loaded.map((r) => r.wallMs)) - emptyWall,
    cpuMs: median(loaded.map((r) => r.cpuMs)) - median(empty.map((r) => r.cpuMs)),
    emptyWallMs: emptyWall,
    runs,
  };
}

export interface InvokeOptions {
  /** The process environment (start from `lambdaEnvironment(bundle, overrides)`). */
  env: Record<string, string>;
  /**
   * URL prefixes the bundle's `fetch` calls are sent elsewhere with, e.g. the SP-API's production
   * host to a local fake: the harness's stand-in for DNS, the bundle itself is not changed.
   */
  fetchRedirects?: Array<[from: string, to: string]>;
  /** What the fake Lambda context says is left of the invocation (default 60 s). */
  remainingMs?: number;
  /**
   * The instant (ISO time) the bundle's clock reads as the invocation is prepared: `Date` and
   * `Date.now()` in the child are shifted by that fixed offset and keep running (so it reads
   * `now` plus the process start-up, well under a second), for functions that read the wall clock
   * (the weekly report's "Monday 09:00 in the seller's time zone"). Default: the real clock.
   */
  now?: string;
  node?: string;
  /** Only load the bundle and check the export (no invocation). */
  loadOnly?: boolean;
}

export interface Invocation {
  /** What the handler returned (null for undefined), when it did not throw. */
  result?: unknown;
  /** What it threw, with the stack as the runtime would log it. */
  error?: { name: string; message: string; stack: string };
  /** Loading the bundle failed (the runtime's Runtime.ImportModuleError), or it exports no such function. */
  loadError?: { name: string; message: string; stack: string };
  stdout: string;
  stderr: string;
}

// The child: loads the bundle as the Lambda runtime does (a fresh process, the asset folder as
// working directory, the function's environment), calls the export with the event and a context,
// and writes what came back to a file (stdout carries the function's own JSON logs).
const RUNNER = `
const fs = require('node:fs');
const input = JSON.parse(fs.readFileSync(process.env.BUNDLE_INVOKE_INPUT, 'utf8'));
if (input.clockOffsetMs !== 0) {
  // The same Date (instanceof, prototype, parse, UTC untouched); only "now" is moved.
  const RealDate = Date;
  const realNow = RealDate.now;
  RealDate.now = () => realNow() + input.clockOffsetMs;
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [RealDate.now()] : args, newTarget),
    apply: () => new RealDate(RealDate.now()).toString(),
  });
}
if (input.redirects.length > 0) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => {
    let u = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    for (const [from, to] of input.redirects) if (u.startsWith(from)) u = to + u.slice(from.length);
    return realFetch(u, init);
  };
}
const done = (outcome) => { fs.writeFileSync(process.env.BUNDLE_INVOKE_OUTPUT, JSON.stringify(outcome)); process.exit(0); };
const deadline = Date.now() + input.remainingMs;
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: '512', awsRequestId: 'bundle-test-request', logGroupName: '/aws/lambda/test', logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done() {}, fail() {}, succeed() {},
};
const failure = (e) => ({ name: e && e.name, message: e && e.message, stack: e && e.stack });
let mod;
try {
  mod = require(input.file);
} catch (e) {
  done({ loadError: failure(e) });
}
if (typeof mod[input.exportName] !== 'function') done({ loadError: { name: 'TypeError', message: 'the bundle exports no function ' + input.exportName, stack: '' } });
if (input.loadOnly) done({ result: null });
Promise.resolve()
  .then(() => mod[input.exportName](input.event, context))
  .then((result) => done({ result: result === undefined ? null : result }), (e) => done({ error: failure(e) }));
`;

/** Invoke a bundle's handler once, in a fresh node process, as the Lambda runtime would. */
export async function invokeBundle(bundle: DeployedBundle, event: unknown, options: InvokeOptions): Promise<Invocation> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-invoke-'));
  const inputFile = join(dir, 'input.json');
  const outputFile = join(dir, 'output.json');
  let clockOffsetMs = 0;
  if (options.now !== undefined) {
    const at = Date.parse(options.now);
    if (Number.isNaN(at)) throw new RangeError(`invokeBundle: now ${JSON.stringify(options.now)} is not an ISO time`);
    clockOffsetMs = at - Date.now();
  }
  writeFileSync(
    inputFile,
    JSON.stringify({ file: bundle.file, exportName: bundle.exportName, event, redirects: options.fetchRedirects ?? [], remainingMs: options.remainingMs ?? 60_000, loadOnly: options.loadOnly ?? false, clockOffsetMs }),
  );
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        options.node ?? process.execPath,
        ['-e', RUNNER],
        { cwd: bundle.assetDir, env: { ...options.env, BUNDLE_INVOKE_INPUT: inputFile, BUNDLE_INVOKE_OUTPUT: outputFile }, maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
        (err, out, errOut) => (err ? reject(new Error(`${bundle.name}: the process failed: ${err.message}\n${errOut}`)) : resolve({ stdout: out, stderr: errOut })),
      );
    });
    const outcome = JSON.parse(readFileSync(outputFile, 'utf8')) as Omit<Invocation, 'stdout' | 'stderr'>;
    return { ...outcome, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
