/**
 * `shipnow orders sync --seller ID [--api 2026-01-01|v0] [--time-limit SECONDS] [--json]
 *                      [--secrets-prefix P] [--sp-api-url URL] [--lwa-url URL]`
 * `shipnow orders import FILE --seller ID [--marketplace CODE] [--json]`
 * plus the store flags (see ./store.ts): `--data DIR` (embedded store, default `.data/`) |
 * `--table NAME [--endpoint URL] [--region R]` (a deployed table).
 *
 * `sync` runs one seller's order sync exactly as the worker Lambda does (same lease, cursor, token
 * bucket and health in the table), so a run from a laptop and a scheduled run never overlap.
 * Credentials: from Secrets Manager with `--secrets-prefix` (AWS credentials from the usual
 * environment), otherwise from SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and
 * SHIPNOW_SP_API_REFRESH_TOKEN. They are never printed. `--sp-api-url` / `--lwa-url` point the
 * client elsewhere (a sandbox or a local test server).
 *
 * `import` reads an Unshipped Orders report or a saved SP-API response (or a folder of them),
 * with a progress bar on a terminal for large files.
 *
 * Exit: 0 done; 1 the sync did not complete (broken, throttled, paused: see the output);
 * 2 bad input (flags, unknown seller, unreadable file, no credentials).
 */
import { randomUUID } from 'node:crypto';
import { SingleBar, Presets } from 'cli-progress';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmSellerSecretStore } from '../../adapters/ssm-seller-secrets';
import { readSellerSecretsConfig } from '../../config';
import { SecretsManagerCredentials, StaticCredentials } from '../../adapters/secrets';
import { SpApiClient, type FetchLike } from '../../adapters/sp-api-client';
import { marketplaceByCode } from '../../domain/marketplaces';
import type { OrdersApiVersion } from '../../domain/order-sync';
import type { SentinelRepository, SpApiCredentialsStore, SyncEvent } from '../../domain/ports';
import { DEFAULT_POLICY, type OrderFacts } from '../../domain/types';
import { importOrders } from '../../services/import-orders';
import { loadOrdersFile } from '../../services/load-orders-file';
import { syncSellerOrders } from '../../services/sync-orders';
import { helpTopic, parseFlags, printHelp, wantsHelp } from '../help';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { explainAwsSetupErrors } from '../aws-setup';
import { openStore, STORE_FLAGS } from './store';

/** Options for tests: environment, clock, and a progress-bar switch. */
export interface OrdersCommandOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Show the progress bar (default: stderr is a terminal and the file has >= 200 orders). */
  progress?: boolean;
  /** Where the progress bar is drawn (default stderr). */
  progressStream?: NodeJS.WritableStream;
  fetch?: FetchLike;
}

/** Entry point wired into cli.ts: `shipnow orders ...`. */
export async function ordersCommand(args: string[], io: Io, opts: OrdersCommandOptions = {}): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || wantsHelp(args)) return printHelp(helpTopic('orders', sub === 'help' ? rest : args), io);
    switch (sub) {
      case 'sync':
        return await ordersSync(rest, io, opts);
      case 'import':
        return await ordersImport(rest, io, opts);
      default:
        throw new UsageError(`${sub ? `unknown orders command '${sub}'` : 'orders needs a command'}: sync, import (see: shipnow orders --help)`);
    }
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}


// ---- sync --------------------------------------------------------------------------------------

async function ordersSync(args: string[], io: Io, opts: OrdersCommandOptions): Promise<number> {
  const { values } = parseFlags(
    'orders sync',
    args,
    {
      seller: { type: 'string' },
      api: { type: 'string' },
      'time-limit': { type: 'string' },
      'secrets-prefix': { type: 'string' },
      'sp-api-url': { type: 'string' },
      'lwa-url': { type: 'string' },
      json: { type: 'boolean', default: false },
      ...STORE_FLAGS,
    },
  );
  const sellerId = values.seller;
  if (!sellerId) throw new UsageError('orders sync needs --seller ID');
  const api = values.api as OrdersApiVersion | undefined;
  if (api !== undefined && api !== '2026-01-01' && api !== 'v0') throw new UsageError(`--api must be 2026-01-01 or v0 (got '${api}')`);
  const limitText = values['time-limit'] ?? '600';
  if (!/^\d+$/.test(limitText) || Number(limitText) < 30) throw new UsageError(`--time-limit must be a whole number of seconds, at least 30 (got '${limitText}')`);
  const env = opts.env ?? process.env;
  const now = opts.now ?? Date.now;
  const credentials = credentialsFrom(values['secrets-prefix'], sellerId, env, values.region);

  const spApiUrl = values['sp-api-url'];
  const client = new SpApiClient({
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(values['lwa-url'] ? { lwaTokenUrl: values['lwa-url'] } : {}),
    ...(spApiUrl ? { endpoints: { NA: spApiUrl, EU: spApiUrl, FE: spApiUrl } } : {}),
    now,
  });

  const store = await openStore(values, env);
  try {
    const seller = await store.repo.getSeller(sellerId);
    if (!seller) {
      io.err(`shipnow: unknown seller '${sellerId}' in the ${store.describe} (add it with: shipnow seller add)`);
      return EXIT.BAD_INPUT;
    }
    const events: SyncEvent[] = [];
    const result = await syncSellerOrders(
      {
        repo: store.repo,
        state: store.syncState,
        api: client,
        credentials,
        events: { publish: async (e) => void events.push(e) },
        now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        policy: DEFAULT_POLICY,
      },
      { sellerId, owner: `cli-${randomUUID()}`, deadlineMs: now() + Number(limitText) * 1000, ...(api ? { api } : {}) },
    );
    if (values.json) {
      io.out(JSON.stringify({ ...result, events }));
    } else {
      io.out(`${sellerId}: ${result.status} — ${result.ordersSeen} orders read in ${result.pages} page(s), ${result.ordersWritten} written, ${result.throttledCalls} throttled call(s)`);
      for (const r of result.regions) io.out(`  ${r.region}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`);
      for (const e of events) {
        io.err(
          e.type === 'order-sync-broken'
            ? `shipnow: order sync BROKEN for ${e.sellerId} on ${e.marketplace}: ${e.reason} since ${e.since} — ${e.detail}`
            : `shipnow: order sync recovered for ${e.sellerId} on ${e.marketplace}`,
        );
      }
      if (result.status === 'skipped-leased') io.err('shipnow: another sync of this seller is running; nothing done');
    }
    return result.status === 'synced' ? EXIT.OK : result.status === 'skipped-inactive' ? EXIT.BAD_INPUT : EXIT.FAILED;
  } finally {
    await store.close();
  }
}

function credentialsFrom(secretsPrefix: string | undefined, sellerId: string, env: NodeJS.ProcessEnv, region: string | undefined): SpApiCredentialsStore {
  if (secretsPrefix) {
    const client = new SecretsManagerClient(region ? { region } : {});
    explainAwsSetupErrors(client, 'or, instead of --secrets-prefix, give the SP-API credentials in SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and SHIPNOW_SP_API_REFRESH_TOKEN');
    // The seller's token from its SSM parameter, as the deployed worker reads it (old Secrets Manager seller secrets as the fallback).
    const ssm = new SSMClient(region ? { region } : {});
    explainAwsSetupErrors(ssm, 'or, instead of --secrets-prefix, give the SP-API credentials in SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and SHIPNOW_SP_API_REFRESH_TOKEN');
    const sellerSecrets = new SsmSellerSecretStore({ client: ssm, ...readSellerSecretsConfig(env) });
    return new SecretsManagerCredentials({ client, prefix: secretsPrefix, sellerSecrets });
  }
  const clientId = env.SHIPNOW_LWA_CLIENT_ID;
  const clientSecret = env.SHIPNOW_LWA_CLIENT_SECRET;
  const refreshToken = env.SHIPNOW_SP_API_REFRESH_TOKEN;
  if (!clientId || !clientSecret || !refreshToken) {
    throw new UsageError(
      'orders sync needs credentials: --secrets-prefix PREFIX (Secrets Manager), or SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and SHIPNOW_SP_API_REFRESH_TOKEN',
    );
  }
  return new StaticCredentials({ clientId, clientSecret }, { [sellerId]: refreshToken });
}

// ---- import ------------------------------------------------------------------------------------

const PROGRESS_THRESHOLD = 200;
const CHUNK = 100;

async function ordersImport(args: string[], io: Io, opts: OrdersCommandOptions): Promise<number> {
  const { values, positionals } = parseFlags(
    'orders import',
    args,
    { seller: { type: 'string' }, marketplace: { type: 'string' }, json: { type: 'boolean', default: false }, ...STORE_FLAGS },
    { positionals: true },
  );
  if (positionals.length !== 1) throw new UsageError('orders import needs exactly one FILE (a report, a saved SP-API response, or a folder)');
  const sellerId = values.seller;
  if (!sellerId) throw new UsageError('orders import needs --seller ID');
  if (values.marketplace !== undefined && !marketplaceByCode(values.marketplace)) throw new UsageError(`--marketplace '${values.marketplace}' is not a marketplace we know`);
  const env = opts.env ?? process.env;
  const now = new Date((opts.now ?? Date.now)()).toISOString();

  const store = await openStore(values, env);
  try {
    const seller = await store.repo.getSeller(sellerId);
    if (!seller) {
      io.err(`shipnow: unknown seller '${sellerId}' in the ${store.describe} (add it with: shipnow seller add)`);
      return EXIT.BAD_INPUT;
    }
    const defaultMarketplace = values.marketplace ?? (seller.marketplaces.length === 1 ? seller.marketplaces[0] : null);
    const loaded = await loadOrdersFile(positionals[0], { sellerId, defaultMarketplace });
    const showProgress = opts.progress ?? (process.stderr.isTTY === true && loaded.orders.length >= PROGRESS_THRESHOLD);
    const totals = await importWithProgress(store.repo, loaded.orders, now, showProgress ? (opts.progressStream ?? process.stderr) : undefined);
    // "Orders received" for `shipnow status` (one small write per marketplace in the file).
    const state = store.syncState;
    for (const m of new Set(loaded.orders.map((o) => o.marketplace).filter((m): m is string => Boolean(m)))) await state.markImported(sellerId, m, now);
    if (values.json) {
      io.out(JSON.stringify({ sellerId, file: positionals[0], format: loaded.format, orders: loaded.orders.length, ...totals }));
    } else {
      io.out(`${sellerId}: ${loaded.orders.length} orders from ${positionals[0]} (${loaded.format}): ${totals.written} written, ${totals.unchanged} unchanged, ${totals.matchedEarlierEmail} matched to an earlier email`);
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function importWithProgress(repo: SentinelRepository, orders: OrderFacts[], now: string, progress: NodeJS.WritableStream | undefined) {
  const totals = { written: 0, unchanged: 0, matchedEarlierEmail: 0 };
  const bar = progress ? new SingleBar(
        // We decided to show it (a terminal, or the caller asked): render even if the stream says it is no TTY.
        { stream: progress, format: 'importing [{bar}] {value}/{total} orders | {eta_formatted} left', hideCursor: true, noTTYOutput: true },
        Presets.shades_classic,
      ) : undefined;
  bar?.start(orders.length, 0);
  try {
    for (let i = 0; i < orders.length; i += CHUNK) {
      const r = await importOrders(repo, orders.slice(i, i + CHUNK), now, DEFAULT_POLICY);
      totals.written += r.written;
      totals.unchanged += r.unchanged;
      totals.matchedEarlierEmail += r.matchedEarlierEmail;
      bar?.update(Math.min(orders.length, i + CHUNK));
    }
  } finally {
    bar?.stop();
  }
  return totals;
}
