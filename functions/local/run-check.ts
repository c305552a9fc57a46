import type { IsoTime, OrderFacts, OrderPolicy } from '../domain/types';
import { DynamoDbIntakeLedger } from '../adapters/dynamodb-intake';
import { importOrders } from '../services/import-orders';
import { loadOrdersFile } from '../services/load-orders-file';
import { reconcileDue, type ReconcileResult } from '../services/reconcile';
import { sellerReport, type SellerReport } from '../services/seller-report';
import { startEmbeddedDynamoDb } from './embedded-dynamodb';
import { intakeMailFolder } from './folder-intake';
import { listFiles } from './mail-folder';

export interface CheckOptions {
  orders: string[];
  mailDir: string;
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

  const db = await startEmbeddedDynamoDb();
  try {
    const repo = db.repository;
    await repo.putSeller({ sellerId, name: 'Local seller', marketplaces: [], createdAt: opts.now });

    // Mail first: an email that arrives before its order must be kept and matched later.
    // The same intake service as the SES Lambda, with the folder standing in for the S3 bucket.
    const ledger = new DynamoDbIntakeLedger({ client: db.client, tableName: db.tableName });
    const progress = opts.onProgress;
    const total = progress ? (await listFiles(opts.mailDir)).length + facts.length : 0;
    let done = 0;
    const { rejectedMail } = await intakeMailFolder({
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
      ...(progress ? { onMessage: () => progress({ step: 'mail', done: ++done, total }) } : {}),
    });

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
    const report = await sellerReport(repo, sellerId, opts.now, opts.policy);
    return { report, rejectedMail, reconcile };
  } finally {
    await db.stop();
  }
}
