/**
 * An in-process DynamoDB-compatible server (dynalite on LevelDB, in memory by default) with the
 * Sentinel table, for the local runtime, tests and benchmarks: no AWS account, no Docker, no Java,
 * no environment variables.
 *
 * dynalite implements conditional writes, GSIs (with ReturnConsumedCapacity), Query pagination and
 * BatchWriteItem; it does not implement transactions (not used) or TTL expiry (the `expiresAt`
 * attribute is written but never acted on locally).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbRepository, type RetentionPolicy } from '../adapters/dynamodb/repository';
import { createTableInput } from '../adapters/dynamodb/keys';

/** The part of dynalite's (untyped, CommonJS) API used here. */
interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}
type DynaliteFactory = (options: DynaliteOptions) => Server;
// dynalite ships no type declarations; this require is typed by the interface above.
const dynalite = require('dynalite') as DynaliteFactory;

export const DEFAULT_LOCAL_TABLE_NAME = 'sentinel-local';

export interface EmbeddedDynamoDbOptions {
  tableName?: string;
  /** LevelDB directory to persist to. Default: in memory (gone at `stop()`). */
  path?: string;
  retention?: RetentionPolicy;
  /** Passed to the repository (small pages to exercise pagination in tests). */
  queryPageSize?: number;
  /**
   * Run the server in a worker thread of this process (default: on the main thread). Its CPU
   * (request parsing, validation, LevelDB) then runs beside the client's instead of taking turns
   * with it: worth its ~50 ms start for bulk work (`check`), not for a handful of requests.
   */
  thread?: boolean;
}

export interface EmbeddedDynamoDb {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  repository: DynamoDbRepository;
  /** Create another table with the Sentinel schema on the same server (e.g. one per test). */
  createTable(tableName: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedDynamoDb(opts: EmbeddedDynamoDbOptions = {}): Promise<EmbeddedDynamoDb> {
  const tableName = opts.tableName ?? DEFAULT_LOCAL_TABLE_NAME;
  // Tables are ACTIVE at once: nothing to simulate locally, and waiting would only slow tests.
  const options: DynaliteOptions = { path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
  const running = opts.thread ? await startInWorker(options) : await startHere(options);
  const endpoint = `http://127.0.0.1:${running.port}`;

  const client = localClient(endpoint);
  // Idempotent: a test's afterAll and a finally block may both stop the same instance.
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      client.destroy();
      await running.close();
    })();
    return stopped;
  };
  try {
    await ensureTable(client, tableName);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    tableName,
    client,
    repository: new DynamoDbRepository({ client, tableName, retention: opts.retention, queryPageSize: opts.queryPageSize }),
    createTable: (name) => ensureTable(client, name),
    stop,
  };
}

/**
 * A client bound to the local endpoint only. Everything the SDK would otherwise resolve from the
 * environment or ~/.aws is given explicitly, so real credentials, profiles, regions or endpoint
 * overrides on the machine are never picked up (and never sent anywhere).
 */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    accountIdEndpointMode: 'disabled',
    // A local server does not throttle; a retry can only help with a transient socket error.
    maxAttempts: 2,
  });
}

/** Create the Sentinel table unless it exists (a persisted `path`), and wait until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} not ACTIVE after 10 s (${Table?.TableStatus})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface RunningServer {
  port: number;
  close(): Promise<void>;
}

async function startHere(options: DynaliteOptions): Promise<RunningServer> {
  const server = dynalite(options);
  await listen(server);
  return { port: (server.address() as AddressInfo).port, close: () => closeServer(server) };
}

/** dynalite is plain CommonJS: the worker requires it directly (no TypeScript loader needed). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require(workerData.dynalite)(workerData.options);
server.once('error', (err) => { throw err; });
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
`;

async function startInWorker(options: DynaliteOptions): Promise<RunningServer> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dynalite: require.resolve('dynalite'), options } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`dynalite worker exited with code ${code} before listening`)));
  });
  worker.removeAllListeners();
  // A server that fails later shows in the client's requests (connection refused); the thread's
  // error event must not also crash the process that started it.
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    port,
    close: async () => {
      worker.postMessage('stop');
      // A server that does not close within a second is stopped anyway: nothing in it outlives
      // the run (the store is in memory, or LevelDB on disk, which survives a terminated thread).
      const timer = setTimeout(() => void worker.terminate(), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the OS picks a free port, so parallel test workers never collide.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Other clients (tests making their own) may hold keep-alive sockets open; close would wait.
    server.closeAllConnections();
  });
}
