/**
 * `shipnow status [--seller ID] [--json] [--now ISO-8601] [--stale-after MINUTES] [--grace MINUTES]`
 * plus the store flags (see ./store.ts): `--data DIR` (embedded store, default `.data/`) |
 * `--table NAME [--endpoint URL] [--region R]` (a deployed table).
 *
 * For humans (an operator, or a seller on the phone): per seller and marketplace, the last
 * successful order sync, the last Sold, Ship Now email received, the orders awaiting their email
 * and those missing it, the alerts sent in the last 24 hours, and, when something is wrong, the
 * likely cause and what to do. Reads only (Query and GetItem, never Scan; no writes).
 *
 * Exit: 0 nothing wrong; 1 something needs attention (see the output); 2 bad input.
 */
import { DynamoDbMailboxState } from '../../adapters/dynamodb/mailbox-state';
import { DEFAULT_POLICY } from '../../domain/types';
import { buildStatus, DEFAULT_STALE_AFTER_MINUTES, UnknownSellerError, type StatusStore } from '../../services/seller-status';
import { parseFlags, parseNowFlag, printHelp, wantsHelp } from '../help';
import { renderStatus } from '../status-render';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { openStore, STORE_FLAGS, type StoreOptions } from './store';


export interface StatusCommandOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** Entry point wired into cli.ts: `shipnow status ...`. */
export async function statusCommand(args: string[], io: Io, opts: StatusCommandOptions = {}): Promise<number> {
  try {
    if (args[0] === 'help' || wantsHelp(args)) return printHelp('status', io);
    const v = parseFlags('status', args, {
      ...STORE_FLAGS,
      seller: { type: 'string' },
      json: { type: 'boolean' },
      now: { type: 'string' },
      'stale-after': { type: 'string' },
      grace: { type: 'string' },
    }).values;
    const now = parseNowFlag(v.now) ?? (opts.now ?? (() => new Date()))().toISOString();
    const staleAfter = positiveNumber(v['stale-after'], '--stale-after') ?? DEFAULT_STALE_AFTER_MINUTES;
    const grace = positiveNumber(v.grace, '--grace') ?? DEFAULT_POLICY.graceMinutes;

    const store = await openStatusStore(v, opts.env ?? process.env);
    try {
      const report = await buildStatus(store, { now: new Date(now).toISOString(), staleAfterMinutes: staleAfter, graceMinutes: grace, ...(v.seller ? { sellerId: v.seller } : {}) });
      if (v.json) io.out(JSON.stringify(report));
      else for (const line of renderStatus(report)) io.out(line);
      return report.ok ? EXIT.OK : EXIT.FAILED;
    } finally {
      await store.close();
    }
  } catch (err) {
    return exitOnBadInput(err instanceof UnknownSellerError ? new UsageError(err.message) : err, io);
  }
}

function positiveNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number of minutes, 0 or more (got '${v}')`);
  return n;
}

/** The stores of ./store.ts's openStore (same flags, same data folder), plus outbox and sync state. */
async function openStatusStore(opts: StoreOptions, env: NodeJS.ProcessEnv): Promise<StatusStore> {
  const store = await openStore(opts, env);
  return {
    kind: store.kind,
    repo: store.repo,
    ledger: store.ledger,
    outbox: store.outbox,
    sync: store.syncState,
    mailbox: new DynamoDbMailboxState({ client: store.client, tableName: store.tableName }),
    describe: store.describe,
    close: () => store.close(),
  };
}
