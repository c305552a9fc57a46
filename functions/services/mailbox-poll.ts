/**
 * One scheduled look into a seller's connected mailbox (the mailbox poller Lambda, and
 * `shipnow mailbox poll` locally): log in with the seller's 'imap' secret, take in new Sold, Ship
 * Now emails (services/mailbox-intake.ts), then probe the orders about to be alerted or missing
 * (services/mailbox-probe.ts) so their alerts carry where the email went.
 *
 * Faults never storm and never silence:
 * - a wrong password (or no secret) marks the connection broken, and the seller is told ONCE, by
 *   a `mailbox-broken` alert through their alert channels (deterministic ID per broken spell); it
 *   is not tried again until the secret changes (`mailbox connect`), or once a day;
 * - an outage (timeout, TLS, connection) is recorded and tried again with growing back-off
 *   (5 min doubling, at most 6 h);
 * - either way nothing is marked notified and the reconciler's alerts go out as always: the
 *   mailbox only ever adds evidence.
 */
import { alertIds, type Alert } from '../domain/alert-model';
import { deliverAt } from '../domain/alert-timing';
import { MailboxError } from '../domain/errors';
import { defaultTrustReceivers } from '../domain/mailbox-probe';
import type { AlertOutbox, IntakeLedger, MailboxClient, MailboxHealth, MailboxSession, MailboxStateStore, SellerSecretStore, SentinelRepository } from '../domain/ports';
import { mailboxSettingsOf, type MailboxSettings } from '../domain/seller-input';
import type { IsoTime, OrderPolicy, StoredOrder } from '../domain/types';
import { settingsOrDefaults } from './alert-sources';
import { intakeMailbox, type MailboxIntakeOutcome } from './mailbox-intake';
import { probeAndStore, type ProbeOutcome } from './mailbox-probe';

export interface MailboxPollDeps {
  client: MailboxClient;
  state: MailboxStateStore;
  secrets: Pick<SellerSecretStore, 'getSellerSecret'>;
  repo: SentinelRepository;
  ledger: IntakeLedger;
  /** Where the one `mailbox-broken` alert goes. */
  outbox?: Pick<AlertOutbox, 'put'>;
  /** Extra CA certificates (a test server); never needed for a public provider. */
  ca?: string | Buffer;
  timeoutMs?: number;
}

export type PollResult =
  | { status: 'ok'; intake: MailboxIntakeOutcome; probe?: ProbeOutcome }
  | { status: 'not-connected' }
  | { status: 'skipped'; reason: 'broken' | 'back-off'; until?: IsoTime }
  | { status: 'failed'; error: MailboxError; told: boolean };

/** The secret's shape: `{ password, updatedAt }` (the app password / authorization code). */
export interface ImapSecret {
  password: string;
  updatedAt: IsoTime;
}

const BROKEN_RETRY_MS = 24 * 3_600_000;
const MAX_BACKOFF_MINUTES = 360;

/** 5, 10, 20, ... minutes after consecutive outages, at most 6 hours. */
export function backoffMinutes(failures: number): number {
  return Math.min(MAX_BACKOFF_MINUTES, 5 * 2 ** Math.max(0, failures - 1));
}

/** Orders worth probing (missing or awaiting; the caller passes those due now or soon) without a finding younger than an hour. */
export function ordersToProbe(orders: readonly StoredOrder[], fresh: ReadonlySet<string>): string[] {
  return orders.filter((o) => (o.status === 'missing' || o.status === 'awaiting' || o.status === undefined) && !fresh.has(o.orderId)).map((o) => o.orderId);
}

export async function pollSellerMailbox(
  deps: MailboxPollDeps,
  sellerId: string,
  now: IsoTime,
  policy: OrderPolicy,
  opts: { probeOrders?: readonly StoredOrder[] } = {},
): Promise<PollResult> {
  const seller = await deps.repo.getSeller(sellerId);
  const settings = mailboxSettingsOf(seller as { mailbox?: unknown } | undefined);
  if (!seller || !settings) return { status: 'not-connected' };
  const health: MailboxHealth = (await deps.state.getHealth(sellerId)) ?? { sellerId };
  const secret = (await deps.secrets.getSellerSecret(sellerId, 'imap')) as Partial<ImapSecret> | undefined;

  if (health.broken) {
    const secretChanged = secret?.updatedAt !== undefined && Date.parse(secret.updatedAt) > Date.parse(health.broken.since);
    const dayPassed = !health.lastAttemptAt || Date.parse(now) - Date.parse(health.lastAttemptAt) >= BROKEN_RETRY_MS;
    if (!secretChanged && !dayPassed) return { status: 'skipped', reason: 'broken' };
  } else if (health.nextAttemptAt && Date.parse(health.nextAttemptAt) > Date.parse(now)) {
    return { status: 'skipped', reason: 'back-off', until: health.nextAttemptAt };
  }

  let session: MailboxSession | undefined;
  try {
    if (typeof secret?.password !== 'string' || secret.password === '') {
      throw new MailboxError(settings.host, 'no-credentials', `${settings.host}: no app password stored for seller ${sellerId}: run shipnow mailbox connect`);
    }
    session = await deps.client.open({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: secret.password,
      ...(deps.ca ? { ca: deps.ca } : {}),
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    });
    const trustReceivers = trustFor(settings);
    const intake = await intakeMailbox({ repo: deps.repo, ledger: deps.ledger, state: deps.state }, session, {
      sellerId,
      address: `imaps://${encodeURIComponent(settings.user)}@${settings.host}`,
      folders: settings.folders ?? ['INBOX'],
      trustReceivers,
      now,
      policy,
    });
    let probe: ProbeOutcome | undefined;
    const candidates = opts.probeOrders ?? [];
    if (candidates.length > 0) {
      const fresh = new Set<string>();
      for (const o of candidates) {
        const f = await deps.state.getFinding(sellerId, o.orderId);
        if (f && Date.parse(now) - Date.parse(f.probedAt) < 3_600_000) fresh.add(o.orderId);
      }
      // Orders the intake just marked notified are no longer missing.
      const stillOpen: StoredOrder[] = [];
      for (const o of candidates) {
        const current = await deps.repo.getOrder(sellerId, o.orderId);
        if (current && !current.notifiedAt) stillOpen.push(current);
      }
      const ids = ordersToProbe(stillOpen, fresh);
      if (ids.length > 0) probe = await probeAndStore(session, deps.state, sellerId, { orderIds: ids, now, trustReceivers });
    }
    await deps.state.putHealth({ sellerId, lastAttemptAt: now, lastSuccessAt: now, failures: 0 });
    return { status: 'ok', intake, ...(probe ? { probe } : {}) };
  } catch (err) {
    if (!(err instanceof MailboxError)) throw err;
    return { status: 'failed', error: err, told: await recordFailure(deps, health, err, now) };
  } finally {
    await session?.close();
  }
}

/** The receivers trusted for this mailbox: its settings, else the provider's default. */
export function trustFor(settings: MailboxSettings): string[] {
  return settings.trustReceivers && settings.trustReceivers.length > 0 ? settings.trustReceivers : defaultTrustReceivers(settings.host);
}

/** Record the failure; true when this is the transition into broken and the seller was told. */
async function recordFailure(deps: MailboxPollDeps, health: MailboxHealth, err: MailboxError, now: IsoTime): Promise<boolean> {
  const lastError = { reason: err.code, at: now, detail: err.message };
  if (err.broken) {
    const since = health.broken?.since ?? now;
    await deps.state.putHealth({ ...health, lastAttemptAt: now, broken: { reason: err.code, since, detail: err.message }, lastError, failures: 0, nextAttemptAt: undefined });
    if (health.broken || !deps.outbox) return false;
    const alert: Alert = {
      alertId: alertIds.mailboxBroken(since),
      sellerId: health.sellerId,
      kind: 'mailbox-broken',
      occurredAt: since,
      raisedAt: now,
      mailbox: { host: err.host, reason: err.code, detail: err.message, since },
    };
    const { settings } = settingsOrDefaults(await deps.repo.getSeller(health.sellerId));
    return (await deps.outbox.put(alert, deliverAt(alert, now, settings))) === 'created';
  }
  const failures = (health.failures ?? 0) + 1;
  await deps.state.putHealth({ ...health, lastAttemptAt: now, failures, lastError, nextAttemptAt: new Date(Date.parse(now) + backoffMinutes(failures) * 60_000).toISOString() });
  return false;
}
