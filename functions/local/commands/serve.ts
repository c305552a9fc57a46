/**
 * `shipnow serve [--port N] [--host H] [--public-origin URL] [--inbound-domain D] [--data DIR]
 *                [--lwa-url URL] [--seller-central-url URL] [--draft-app]`
 *
 * The seller's pages on the embedded store: the same request handler as the Lambda Function URL
 * (functions/web/app.ts), on node:http. It prints its URL, the authorize link to give sellers, and
 * the setup and status links of the sellers that exist. Raw emails dropped into `<data>/inbox/`
 * are taken in through the same intake as SES mail (the local stand-in for SES), so a seller can
 * be onboarded end to end on one machine: authorize, then the first email shows on the setup page.
 *
 * Login with Amazon: SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and SHIPNOW_SP_API_APP_ID
 * (the app's ID in Solution Provider Portal); without them the authorize page says the operator
 * has not finished the set-up. Refresh tokens go to `<data>/secrets/` (0600), the link key is
 * `<data>/link-key` (0600, made on first use). Runs until interrupted (Ctrl-C); exit 2 on bad flags.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDbAcknowledgements } from '../../adapters/dynamodb/acknowledgements';
import { DynamoDbRepository } from '../../adapters/dynamodb/repository';
import { DynamoDbUsedStates } from '../../adapters/dynamodb/used-states';
import { FileSellerSecretStore } from '../../adapters/file-seller-secrets';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../domain/inbound';
import { linkClaims, signLink } from '../../domain/signed-links';
import { DEFAULT_POLICY } from '../../domain/types';
import { makeWebApp, type WebAppDeps, type WebHandler } from '../../web/app';
import { weeklyChartsFrom } from '../../web/weekly-charts';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { parseFlags, printHelp, wantsHelp } from '../help';
import { inboundDomainOf } from '../inbound-domain';
import { loadLinkKeys } from '../../adapters/link-key-file';
import { startWebServer, watchInbox, type InboxWatcher, type LocalWebServer } from '../web-server';
import { dataDir, openStore, type OpenStore } from './store';

export interface LocalWebOptions {
  store: OpenStore;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  inboundDomain: string;
  publicOrigin?: string;
  lwaUrl?: string;
  sellerCentralUrl?: string;
  draftApp?: boolean;
  now?: () => Date;
  pollMs?: number;
  rateLimits?: WebAppDeps['rateLimits'];
  inboxIntervalMs?: number;
}

/** The handler and the inbox of the embedded store (also what the browser tests start). */
export async function localWeb(o: LocalWebOptions): Promise<{ handler: WebHandler; inbox: InboxWatcher; linkKeys: Uint8Array[] }> {
  const { store, env } = o;
  if (!store.mailDir || !store.mailStore) throw new UsageError('serve needs the embedded store');
  const keys = await loadLinkKeys(o.dataDir);
  await mkdir(join(o.dataDir, 'inbox'), { recursive: true });
  const clientId = env.SHIPNOW_LWA_CLIENT_ID;
  const clientSecret = env.SHIPNOW_LWA_CLIENT_SECRET;
  const applicationId = env.SHIPNOW_SP_API_APP_ID;
  const handler = makeWebApp({
    repo: store.repo,
    ledger: store.ledger,
    acks: new DynamoDbAcknowledgements({ client: store.client, tableName: store.tableName }),
    secrets: new FileSellerSecretStore(join(o.dataDir, 'secrets')),
    usedStates: new DynamoDbUsedStates({ client: store.client, tableName: store.tableName }),
    linkKeys: async () => keys,
    // The hourly counters behind the chart, read through the table's repository.
    weeklyCharts: weeklyChartsFrom(new DynamoDbRepository({ client: store.client, tableName: store.tableName })),
    authorization: {
      app: async () => (clientId && clientSecret && applicationId ? { applicationId, clientId, clientSecret } : undefined),
      ...(o.lwaUrl ? { tokenEndpoint: o.lwaUrl } : {}),
      ...(o.sellerCentralUrl ? { sellerCentralOrigin: new URL(o.sellerCentralUrl).origin } : {}),
      draft: o.draftApp === true,
    },
    ...(o.publicOrigin ? { publicOrigin: o.publicOrigin.replace(/\/$/, '') } : {}),
    inboundDomain: o.inboundDomain,
    now: o.now ?? (() => new Date()),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    ...(o.rateLimits ? { rateLimits: o.rateLimits } : {}),
    ...(o.sellerCentralUrl || o.lwaUrl ? { testMode: true } : {}),
  });
  const inbox = watchInbox(
    join(o.dataDir, 'inbox'),
    store.mailDir,
    {
      repo: store.repo,
      ledger: store.ledger,
      mailStore: store.mailStore,
      config: { inboundDomain: o.inboundDomain, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, requireVerdicts: false, policy: DEFAULT_POLICY },
    },
    { ...(o.inboxIntervalMs !== undefined ? { intervalMs: o.inboxIntervalMs } : {}), ...(o.now ? { now: o.now } : {}) },
  );
  return { handler, inbox, linkKeys: keys };
}

export async function serveCommand(args: string[], io: Io, opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; onListening?: (s: LocalWebServer) => void } = {}): Promise<number> {
  try {
    if (wantsHelp(args)) return printHelp('serve', io);
    const { values } = parseFlags('serve', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      'public-origin': { type: 'string' },
      'inbound-domain': { type: 'string' },
      data: { type: 'string' },
      'lwa-url': { type: 'string' },
      'seller-central-url': { type: 'string' },
      'draft-app': { type: 'boolean', default: false },
    });
    const port = values.port === undefined ? 8080 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (got '${values.port}')`);
    for (const flag of ['public-origin', 'lwa-url', 'seller-central-url'] as const) {
      const v = values[flag];
      if (v !== undefined && !/^https?:\/\/[^/]+/.test(v)) throw new UsageError(`--${flag} needs an http(s) URL (got '${v}')`);
    }
    const env = opts.env ?? process.env;
    const dir = dataDir(values, env);
    const store = await openStore({ data: dir }, env);
    try {
      const inboundDomain = inboundDomainOf(values['inbound-domain'], env);
      const web = await localWeb({
        store,
        dataDir: dir,
        env,
        inboundDomain,
        ...(values['public-origin'] ? { publicOrigin: values['public-origin'] } : {}),
        ...(values['lwa-url'] ? { lwaUrl: values['lwa-url'] } : {}),
        ...(values['seller-central-url'] ? { sellerCentralUrl: values['seller-central-url'] } : {}),
        draftApp: values['draft-app'] === true,
      });
      const server = await startWebServer(web.handler, { port, host: values.host ?? '127.0.0.1' });
      const origin = values['public-origin']?.replace(/\/$/, '') ?? server.url;
      io.out(`ShipNow Sentinel seller pages: ${origin}`);
      io.out(`  authorize (give this link to sellers): ${origin}/authorize`);
      if (!(env.SHIPNOW_LWA_CLIENT_ID && env.SHIPNOW_LWA_CLIENT_SECRET && env.SHIPNOW_SP_API_APP_ID)) {
        io.out('  (set SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and SHIPNOW_SP_API_APP_ID to let sellers authorize)');
      }
      io.out(`  emails: drop raw .eml files into ${join(dir, 'inbox')} (the local stand-in for SES)`);
      const nowMs = Date.now();
      for (const s of (await store.repo.listSellers()).sort((a, b) => a.sellerId.localeCompare(b.sellerId))) {
        io.out(`  ${s.sellerId}: setup ${origin}/setup?token=${signLink(linkClaims(s.sellerId, 'setup', nowMs), web.linkKeys[0]!)}`);
        io.out(`  ${s.sellerId}: status ${origin}/status?token=${signLink(linkClaims(s.sellerId, 'status', nowMs), web.linkKeys[0]!)}`);
      }
      io.out(`data: ${dir}; stop with Ctrl-C`);
      opts.onListening?.(server);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        if (opts.signal) opts.signal.addEventListener('abort', stop, { once: true });
        else {
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        }
      });
      web.inbox.stop();
      await server.close();
      return EXIT.OK;
    } finally {
      await store.close();
    }
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}

