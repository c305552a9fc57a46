/**
 * S3 "object created" under `reports/<sellerId>/` -> import the Unshipped Orders report.
 *
 * The seller comes from the key, never from the file. A file that is not a readable report
 * (InputError: which line, what is wrong) is logged and counted, not retried: retrying cannot fix
 * it, and the file stays in the bucket. Any other error throws, so Lambda's asynchronous retries
 * and the function's DLQ keep the event.
 * Report files are read as UTF-8 (Amazon's flat files for most marketplaces; see the report).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { parseUnshippedReport } from '../adapters/report-file';
import { InputError } from '../domain/errors';
import type { SentinelRepository } from '../domain/ports';
import type { Clock, OrderPolicy } from '../domain/types';
import { ORDER_SYNC_METRICS } from '../metrics';
import { importOrders } from '../services/import-orders';
import { wireReportImport } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';

export { REPORTS_PREFIX } from '../domain/order-sync';

export interface ReportImportDeps {
  repo: SentinelRepository;
  s3: Pick<S3Client, 'send'>;
  policy: OrderPolicy;
  logger: Logger;
  metrics: Metrics;
  now: Clock;
}

/** `reports/<sellerId>/<file>` -> sellerId (S3 event keys are URL-encoded, `+` for space). */
export function sellerIdFromKey(encodedKey: string): { key: string; sellerId: string } | undefined {
  const key = decodeURIComponent(encodedKey.replace(/\+/g, ' '));
  const m = /^reports\/([A-Za-z0-9_.-]+)\/[^/].*$/.exec(key);
  return m ? { key, sellerId: m[1] } : undefined;
}

export function makeHandler(deps: ReportImportDeps) {
  return lambdaChain(async (event: S3Event, _context: Context): Promise<{ imported: number; rejected: number }> => {
    let imported = 0;
    let rejected = 0;
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const parsed = sellerIdFromKey(record.s3.object.key);
      if (!parsed) {
        deps.logger.warn('report key outside reports/<sellerId>/: ignored', { key: record.s3.object.key });
        continue;
      }
      const seller = await deps.repo.getSeller(parsed.sellerId);
      if (!seller) {
        rejected++;
        deps.logger.error('report for an unknown seller: not imported', { key: parsed.key, sellerId: parsed.sellerId });
        continue;
      }
      const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: parsed.key }));
      const text = object.Body ? await object.Body.transformToString('utf-8') : '';
      try {
        const facts = parseUnshippedReport(text, parsed.key, {
          sellerId: seller.sellerId,
          // A report is requested per marketplace: with one marketplace, that is it.
          defaultMarketplace: seller.marketplaces.length === 1 ? seller.marketplaces[0] : null,
        });
        const r = await importOrders(deps.repo, facts, deps.now(), deps.policy);
        imported += facts.length;
        deps.logger.info('report imported', { key: parsed.key, sellerId: seller.sellerId, orders: facts.length, written: r.written });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        rejected++;
        deps.logger.error('report rejected', { key: parsed.key, sellerId: seller.sellerId, problem: err.message });
      }
    }
    deps.metrics.addMetric(ORDER_SYNC_METRICS.REPORT_ORDERS_IMPORTED, MetricUnit.Count, imported);
    deps.metrics.addMetric(ORDER_SYNC_METRICS.REPORTS_REJECTED, MetricUnit.Count, rejected);
    return { imported, rejected };
  }, { logger: deps.logger, metrics: deps.metrics, coldStartMetric: false });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireReportImport(process.env)));
