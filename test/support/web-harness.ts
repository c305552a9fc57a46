/**
 * The seller web on dynalite, in process, for the handler tests and the browser tests: the real
 * stores (repository, intake ledger, acknowledgements, used states), a file secret store in a
 * temporary folder, a fixed link key, a local fake of Seller Central + Login with Amazon, and a
 * helper that drops a real Sold, Ship Now email for a seller into the intake.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbAcknowledgements } from '../../functions/adapters/dynamodb/acknowledgements';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import type { DynamoDbRepository } from '../../functions/adapters/dynamodb/repository';
import { DynamoDbUsedStates } from '../../functions/adapters/dynamodb/used-states';
import { FileSellerSecretStore } from '../../functions/adapters/file-seller-secrets';
import { FolderMailStore } from '../../functions/adapters/folder-mail-store';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../functions/domain/inbound';
import { linkClaims, signLink, type LinkPurpose } from '../../functions/domain/signed-links';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { contentId } from '../../functions/local/mail-folder';
import { intakeStoredMessage } from '../../functions/local/folder-intake';
import type { IntakeResult } from '../../functions/services/intake';
import { makeWebApp, type WebAppDeps, type WebHandler, type WebRequest, type WebResponse } from '../../functions/web/app';
import type { DynaliteContext } from './dynalite';
import { startFakeAmazonAuth, type FakeAmazonAuth } from './fake-amazon-auth';

export const LINK_KEY = Buffer.alloc(32, 7);
export const INBOUND_DOMAIN = 'in.test.example';
export const APP = { applicationId: 'amzn1.sp.solution.test-app', clientId: 'amzn1.application-oa2-client.test', clientSecret: 'test-secret' };
export const SELLING_PARTNER_ID = 'A2TESTSELLER01';

export interface WebHarness {
  app: WebHandler;
  deps: WebAppDeps;
  fake: FakeAmazonAuth;
  repo: DynamoDbRepository;
  ledger: DynamoDbIntakeLedger;
  secretsDir: string;
  mailDir: string;
  clock: { now: number };
  link(sellerId: string, purpose: LinkPurpose, extra?: { orderId?: string; snoozeMinutes?: number }): string;
  /** A real Sold, Ship Now email (examples/mail) addressed to `alias`, through the intake. */
  dropEmail(alias: string, file?: string): Promise<IntakeResult>;
  close(): Promise<void>;
}

export async function startWebHarness(ddb: DynaliteContext, over: Partial<WebAppDeps> = {}): Promise<WebHarness> {
  const fake = await startFakeAmazonAuth({ ...APP, sellingPartnerId: SELLING_PARTNER_ID });
  const { client, tableName } = ddb;
  const repo = ddb.repository;
  const ledger = new DynamoDbIntakeLedger({ client, tableName });
  const tmp = mkdtempSync(join(tmpdir(), 'shipnow-web-'));
  const secretsDir = join(tmp, 'secrets');
  const mailDir = join(tmp, 'mail');
  const clock = { now: Date.parse('2026-11-28T12:00:00.000Z') };
  const deps: WebAppDeps = {
    repo,
    ledger,
    acks: new DynamoDbAcknowledgements({ client, tableName }),
    secrets: new FileSellerSecretStore(secretsDir),
    usedStates: new DynamoDbUsedStates({ client, tableName }),
    linkKeys: async () => [LINK_KEY],
    authorization: { app: async () => APP, tokenEndpoint: fake.tokenEndpoint, draft: true, sellerCentralOrigin: fake.url },
    inboundDomain: INBOUND_DOMAIN,
    now: () => new Date(clock.now),
    pollMs: 500,
    testMode: true,
    ...over,
  };
  const mailStore = new FolderMailStore(mailDir);
  return {
    app: makeWebApp(deps),
    deps,
    fake,
    repo,
    ledger,
    secretsDir,
    mailDir,
    clock,
    link: (sellerId, purpose, extra = {}) => signLink(linkClaims(sellerId, purpose, clock.now, extra), LINK_KEY),
    async dropEmail(alias, file = 'us-sold-ship-now.eml') {
      const raw = Buffer.from(readFileSync(join(__dirname, '..', '..', 'examples', 'mail', file), 'latin1').replaceAll('demo-seller.k7q2m9@in.shipnow.example', `${alias}@${INBOUND_DOMAIN}`), 'latin1');
      const messageId = contentId(raw);
      mkdirSync(mailDir, { recursive: true });
      writeFileSync(join(mailDir, messageId), raw);
      return intakeStoredMessage(
        { repo, ledger, mailStore, config: { inboundDomain: INBOUND_DOMAIN, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, requireVerdicts: false, policy: DEFAULT_POLICY } },
        messageId,
        raw.length,
        new Date(clock.now),
      );
    },
    async close() {
      await fake.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** One request to the handler, as a browser at `origin` would send it. */
export function request(app: WebHandler, method: string, target: string, opts: { headers?: Record<string, string>; form?: Record<string, string>; ip?: string } = {}): Promise<WebResponse> {
  const url = new URL(target, 'https://web.test');
  const body = opts.form ? new URLSearchParams(opts.form).toString() : '';
  const req: WebRequest = {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: { ...(opts.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])) },
    body,
    sourceIp: opts.ip ?? '198.51.100.7',
    origin: url.origin,
  };
  return app(req);
}
