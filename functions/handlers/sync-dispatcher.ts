/**
 * EventBridge schedule -> one SQS message per active seller (`{"sellerId": "..."}`), and the
 * "age of the oldest successful sync" metric over every seller and marketplace.
 *
 * Duplicate messages are harmless (a second worker finds the seller's lease taken, and imports
 * are idempotent), so a failed batch entry is retried and the run throws if any still fails:
 * the scheduled invocation is retried by Lambda and nothing is silently skipped.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { isSyncActive } from '../domain/order-sync';
import type { SentinelRepository, SyncHealth, SyncStateStore } from '../domain/ports';
import { retry } from '../domain/retry';
import type { Clock } from '../domain/types';
import { ORDER_SYNC_METRICS } from '../metrics';
import { wireDispatcher } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';

export interface DispatcherDeps {
  repo: Pick<SentinelRepository, 'listSellers'>;
  state: Pick<SyncStateStore, 'listHealth'>;
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  logger: Logger;
  metrics: Metrics;
  now: Clock;
}

export interface DispatchResult {
  dispatched: number;
  oldestSuccessAgeSeconds: number | null;
  broken: number;
}

const BATCH = 10; // SendMessageBatch maximum
const PARALLEL = 8;

export async function dispatch(deps: DispatcherDeps): Promise<DispatchResult> {
  const sellers = (await deps.repo.listSellers()).filter(isSyncActive);
  const batches: SendMessageBatchRequestEntry[][] = [];
  for (let i = 0; i < sellers.length; i += BATCH) {
    batches.push(sellers.slice(i, i + BATCH).map((s, j) => ({ Id: String(j), MessageBody: JSON.stringify({ sellerId: s.sellerId }) })));
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await sendBatch(deps, batches[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, batches.length) }, worker));
  deps.metrics.addMetric(ORDER_SYNC_METRICS.SELLERS_DISPATCHED, MetricUnit.Count, sellers.length);

  const active = new Set(sellers.map((s) => s.sellerId));
  const health = (await deps.state.listHealth()).filter((h) => active.has(h.sellerId));
  const oldest = oldestSuccessAgeSeconds(health, Date.parse(deps.now()));
  const broken = health.filter((h) => h.broken).length;
  // Always emitted (0 without any history), so "no data" can only mean the dispatcher did not run.
  // Broken syncs are counted apart (BrokenSyncs) and left out of the age: see oldestSuccessAgeSeconds.
  deps.metrics.addMetric(ORDER_SYNC_METRICS.OLDEST_SUCCESSFUL_SYNC_AGE, MetricUnit.Seconds, oldest ?? 0);
  deps.metrics.addMetric(ORDER_SYNC_METRICS.BROKEN_SYNCS, MetricUnit.Count, broken);
  deps.logger.info('dispatched order sync', { sellers: sellers.length, oldestSuccessAgeSeconds: oldest, broken });
  return { dispatched: sellers.length, oldestSuccessAgeSeconds: oldest, broken };
}

/**
 * Seconds since the oldest "last success" among the syncs that are not marked broken. A
 * marketplace that never succeeded counts from its first recorded attempt (so a seller who never
 * synced shows up too, not as "no data"). A broken sync (revoked authorization) is left out: it
 * waits for the seller, who has been alerted, and is counted in BrokenSyncs; counting it here
 * would keep the stale-sync alarm red for good and hide a real outage of everyone else.
 */
export function oldestSuccessAgeSeconds(health: readonly SyncHealth[], nowMs: number): number | null {
  let oldest: number | null = null;
  for (const h of health) {
    if (h.broken) continue;
    const since = h.lastSuccessAt ?? h.lastAttemptAt;
    if (!since) continue;
    const t = Date.parse(since);
    if (oldest === null || t < oldest) oldest = t;
  }
  return oldest === null ? null : Math.max(0, Math.round((nowMs - oldest) / 1000));
}

/** Up to 3 SendMessageBatch calls, each resending only the entries the previous one reported failed. */
async function sendBatch(deps: DispatcherDeps, entries: SendMessageBatchRequestEntry[]): Promise<void> {
  if (entries.length === 0) return;
  let pending = entries;
  let lastCode: string | undefined;
  await retry(
    async () => {
      const out = await deps.sqs.send(new SendMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: pending }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      pending = pending.filter((e) => failed.has(e.Id));
      lastCode = out.Failed?.[0]?.Code;
      return pending.length === 0;
    },
    {
      attempts: 3,
      onExhausted: (attempts) => new Error(`SendMessageBatch: ${pending.length} message(s) still failing after ${attempts} attempts (${lastCode ?? 'unknown'})`),
    },
  );
}

export function makeHandler(deps: DispatcherDeps) {
  return lambdaChain(async (_event: ScheduledEvent, _context: Context): Promise<DispatchResult> => dispatch(deps), {
    logger: deps.logger,
    metrics: deps.metrics,
    coldStartMetric: false,
  });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireDispatcher(process.env)));
