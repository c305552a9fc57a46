/**
 * Jest helper: a real in-process DynamoDB (dynalite) per test file, with the Sentinel table.
 *
 *   const ddb = useDynalite();                       // beforeAll start, afterAll stop
 *   it('...', async () => { await ddb.repository.saveOrder(...) });
 *
 *   const ddb = useDynalite({ freshTablePerTest: true });   // a new empty table before each test
 *   const repo = await ddb.freshTable({ queryPageSize: 2 }); // or on demand, with options
 *
 * Values exist only once beforeAll has run, hence getters rather than plain fields.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRepository, type RetentionPolicy } from '../../functions/adapters/dynamodb/repository';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../functions/local/embedded-dynamodb';

export interface RepositoryOptions {
  retention?: RetentionPolicy;
  queryPageSize?: number;
}

export interface DynaliteContext {
  readonly db: EmbeddedDynamoDb;
  readonly client: DynamoDBClient;
  /** The current table: the file's table, or the latest `freshTable()`. */
  readonly tableName: string;
  readonly repository: DynamoDbRepository;
  /** Create a new empty table on the same server and make it current; returns its repository. */
  freshTable(options?: RepositoryOptions): Promise<DynamoDbRepository>;
  /** Another repository on the current table (e.g. with a small page size). */
  repositoryWith(options: RepositoryOptions): DynamoDbRepository;
}

export function useDynalite(options: RepositoryOptions & { freshTablePerTest?: boolean } = {}): DynaliteContext {
  let db: EmbeddedDynamoDb | undefined;
  let tableName: string | undefined;
  let repository: DynamoDbRepository | undefined;
  let tables = 0;

  const started = (): EmbeddedDynamoDb => {
    if (!db) throw new Error('useDynalite: used outside a test (the server starts in beforeAll)');
    return db;
  };
  const repoOptions = (o: RepositoryOptions): RepositoryOptions => ({
    retention: o.retention ?? options.retention,
    queryPageSize: o.queryPageSize ?? options.queryPageSize,
  });

  const ctx: DynaliteContext = {
    get db() {
      return started();
    },
    get client() {
      return started().client;
    },
    get tableName() {
      started();
      return tableName as string;
    },
    get repository() {
      started();
      return repository as DynamoDbRepository;
    },
    async freshTable(o = {}) {
      const server = started();
      tableName = `test-${++tables}`;
      await server.createTable(tableName);
      repository = new DynamoDbRepository({ client: server.client, tableName, ...repoOptions(o) });
      return repository;
    },
    repositoryWith(o) {
      return new DynamoDbRepository({ client: started().client, tableName: ctx.tableName, ...repoOptions(o) });
    },
  };

  beforeAll(async () => {
    db = await startEmbeddedDynamoDb({ tableName: 'test-0', ...repoOptions({}) });
    tableName = db.tableName;
    repository = db.repository;
  });
  afterAll(async () => {
    await db?.stop();
    db = undefined;
  });
  if (options.freshTablePerTest) {
    beforeEach(async () => {
      await ctx.freshTable();
    });
  }
  return ctx;
}

/** One request as the client sent it: the command name and its input (after DocumentClient marshalling). */
export interface RecordedCommand {
  command: string;
  input: Record<string, unknown>;
}

/**
 * Record every command sent through `client` (also those sent by DocumentClients built on it,
 * which share its middleware stack), so a test can assert exactly what was asked of DynamoDB:
 * e.g. that nothing ever Scans. Returns the live list and a function to clear it.
 */
export function recordCommands(client: DynamoDBClient): { commands: RecordedCommand[]; clear(): void } {
  const commands: RecordedCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'sentinelTestRecorder', override: true },
  );
  return { commands, clear: () => void commands.splice(0) };
}
