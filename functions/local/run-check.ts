import type { IsoTime, OrderFacts, OrderPolicy } from '../domain/types';
import { DynamoDbIntakeLedger } from '../adapters/dynamodb/intake-ledger';
import { importOrders } from '../services/import-orders';
import { loadOrdersFile } from '../services/load-orders-file';
import { reconcileDue, type ReconcileResult } from '../services/reconcile';
import { sellerReport, type SellerReport } from '../services/seller-report';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from './embedded-dynamodb';
import { intakeMailFolder, reportedReason } from './folder-intake';
import { DynamoDbMailboxState } from '../adapters/dynamodb/mailbox-state';
import { ImapMailboxClient } from '../adapters/imap-mailbox';
import type { IntakeLedger, MailboxClient, MailboxConnection, SentinelRepository } from '../domain/ports';
import { intakeMailbox } from '../services/mailbox-intake';
import { listFiles } from './mail-folder';
import { WriteBehindStore } from './write-behind-store';

export interface CheckOptions {
  orders: string[];
  /** A folder of raw emails; optional when `imap` is given. */
  mailDir?: string;
  /**
   * issue 14: also (or instead) take the Sold, Ship Now emails from a mailbox over IMAP, through
   * the same intake; read-only (EXAMINE, BODY.PEEK). `trustReceivers` above applies to it too.
   */
  imap?: { connection: MailboxConnection; folders: readonly string[]; client?: MailboxClient };
  now: IsoTime;
  policy: OrderPolicy;
  /** In `check`, all orders and mail belong to one seller, whatever the recipient address. */
  sellerId?: string;
  trustedAuthservId?: string;
  /** `--trust-receiver` (issue 9): mailbox providers whose verdicts are trusted too. */
  trustReceivers?: string[];
  /** `--accept-unverified` (issue 9): mail with no verdict header at all counts, marked unverified. */
  acceptUnverified?: boolean;
  /**
   * Told how far the run is (mail files taken in, then orders stored), for a progress bar; `total`
   * is known before the first call and does not change.
   */
  onProgress?: (p: CheckProgress) => void;
  /**
   * Default true: decide in memory, then write the table in batches (see WriteBehindStore).
   * False: every read and write goes to the embedded table one request at a time, as on AWS
   * (slow; kept to show both give the same result).
   */
  writeBehind?: boolean;
}

export interface CheckProgress {
  step: 'mail' | 'orders';
  done: number;
  total: number;
}

export interface CheckOutcome {
  report: SellerReport;
  rejectedMail: Array<{ file: string; reason: string; receivers?: string[] }>;
  reconcile: ReconcileResult;
}

export const LOCAL_SELLER_ID = 'local-seller';

/** Orders stored between two progress reports. */
const PROGRESS_CHUNK = 250;

/**
 * The whole job on the embedded default: an in-process DynamoDB-compatible server, orders from
 * files, mail from a folder (standing in for the S3 bucket), then one reconciler pass at `now`.
 * Orders files are all read before anything is stored, so bad input (InputError) stops the run
 * before it half-happens.
 */
export async function runCheck(opts: CheckOptions): Promise<CheckOutcome> {
  const sellerId = opts.sellerId ?? LOCAL_SELLER_ID;
  const facts: OrderFacts[] = [];
  for (const path of opts.orders) {
    facts.push(...(await loadOrdersFile(path, { sellerId })).orders);
  }

  // A large run gives the server its own thread: while it stores one batch (and answers the
  // report's queries), the main thread already prepares the next.
  const db = await startEmbeddedDynamoDb({ thread: facts.length >= SERVER_THREAD_FROM_ORDERS });
  try {
    return await checkOnTable(db, facts, { ...opts, sellerId });
  } finally {
    await db.stop();
  }
}

/**
 * The run itself on an embedded table that is empty and this run's alone (runCheck starts one;
 * tests pass their own to look at what was stored).
 */
export async function checkOnTable(
  db: Pick<EmbeddedDynamoDb, 'client' | 'tableName' | 'repository'>,
  facts: readonly OrderFacts[],
  opts: CheckOptions & { sellerId: string },
): Promise<CheckOutcome> {
  const { sellerId } = opts;
  // The table is this run's own and empty: the services decide against a write-behind store
  // (every conditional write decided as DynamoDB would) and its items are written in batches.
  // `writeBehind: false` runs the same services request by request against the table instead.
  const store = opts.writeBehind === false ? undefined : new WriteBehindStore({ repository: db.repository });
  const repo = store?.repository ?? db.repository;
  const ledger = store?.ledger ?? new DynamoDbIntakeLedger({ client: db.client, tableName: db.tableName });
  await repo.putSeller({ sellerId, name: 'Local seller', marketplaces: [], createdAt: opts.now });

  // Mail first: an email that arrives before its order must be kept and matched later.
  // The same intake service as the SES Lambda, with the folder standing in for the S3 bucket.
  const progress = opts.onProgress;
  const total = progress ? (opts.mailDir ? (await listFiles(opts.mailDir)).length : 0) + facts.length : 0;
  let done = 0;
  const rejectedMail: CheckOutcome['rejectedMail'] = [];
  if (opts.imap) rejectedMail.push(...(await intakeImap(db, repo, ledger, { ...opts, imap: opts.imap })));
  if (opts.mailDir) {
    const folder = await intakeMailFolder({
      repo,
      ledger,
      dir: opts.mailDir,
      now: opts.now,
      policy: opts.policy,
      sellerId,
      ...(opts.trustedAuthservId ? { trustedAuthservId: opts.trustedAuthservId } : {}),
      // issue 9: which receivers' verdicts count, and whether verdict-less mail may.
      ...(opts.trustReceivers ? { trustReceivers: opts.trustReceivers } : {}),
      ...(opts.acceptUnverified ? { acceptUnverified: true } : {}),
      ...(store ? { concurrency: MAIL_CONCURRENCY } : {}),
      ...(progress ? { onMessage: () => progress({ step: 'mail', done: ++done, total }) } : {}),
    });
    rejectedMail.push(...folder.rejectedMail);
  }

  if (progress) {
    // In chunks only to report progress; importing is idempotent and order-independent.
    for (let i = 0; i < facts.length; i += PROGRESS_CHUNK) {
      const chunk = facts.slice(i, i + PROGRESS_CHUNK);
      await importOrders(repo, chunk, opts.now, opts.policy);
      progress({ step: 'orders', done: (done += chunk.length), total });
    }
  } else {
    await importOrders(repo, facts, opts.now, opts.policy);
  }
  const reconcile = await reconcileDue(repo, opts.now, opts.policy);
  // Every item once, in its final state: each is written when all is decided.
  if (store) await store.flush({ concurrency: FLUSH_CONCURRENCY });
  // The report is read back from the table: what it shows is what was stored.
  const report = await sellerReport(db.repository, sellerId, opts.now, opts.policy);
  return { report, rejectedMail, reconcile };
}

/** The mailbox's Amazon mail through the intake; what did not count, as `{ file: <IMAP URL of the message>, reason }`. */
async function intakeImap(
  db: Pick<EmbeddedDynamoDb, 'client' | 'tableName'>,
  repo: SentinelRepository,
  ledger: IntakeLedger,
  opts: CheckOptions & { sellerId: string; imap: NonNullable<CheckOptions['imap']> },
): Promise<CheckOutcome['rejectedMail']> {
  const c = opts.imap.connection;
  const session = await (opts.imap.client ?? new ImapMailboxClient()).open(c);
  try {
    const out = await intakeMailbox({ repo, ledger, state: new DynamoDbMailboxState({ client: db.client, tableName: db.tableName }) }, session, {
      sellerId: opts.sellerId,
      address: `imaps://${encodeURIComponent(c.user)}@${c.host}${c.port === 993 ? '' : `:${c.port}`}`,
      folders: opts.imap.folders,
      trustReceivers: opts.trustReceivers ?? [],
      ...(opts.acceptUnverified ? { acceptUnverified: true } : {}),
      now: opts.now,
      policy: opts.policy,
    });
    return out.results.flatMap(({ location, result }) => {
      const reason = reportedReason(result);
      return reason === null ? [] : [{ file: location, reason, ...(result.outcome === 'rejected' && result.receivers ? { receivers: result.receivers } : {}) }];
    });
  } finally {
    await session.close();
  }
}

/** Messages in flight at once (file reads overlap parsing; duplicates of one message wait). */
const MAIL_CONCURRENCY = 8;
/** BatchWriteItem requests in flight at once while flushing. */
const FLUSH_CONCURRENCY = 4;
/** From this many orders the server runs in a worker thread (starting one costs ~50 ms). */
const SERVER_THREAD_FROM_ORDERS = 1000;
