/**
 * The status of each seller and marketplace (what `shipnow status` shows): the last successful
 * order sync, the last Sold, Ship Now email received, the orders awaiting their email and those
 * missing it, the alerts sent in the last 24 hours, and, when something is wrong, the likely cause
 * and what to do. Reads only (Query and GetItem, never Scan; no writes), through the ports.
 * The command is functions/local/commands/status.ts, the text rendering functions/local/status-render.ts.
 */
import type { AlertOutbox, ChannelHealthStore } from '../domain/ports';
import { SentinelError } from '../domain/errors';
import { buildHistory, diagnose, type CauseCode } from '../domain/diagnosis';
import type { IntakeLedger, MailboxStateStore } from '../domain/ports';
import { probeFindingText, type OrderProbeFinding } from '../domain/mailbox-probe';
import { mailboxSettingsOf } from '../domain/seller-input';
import type { SentinelRepository, SyncHealth, SyncStateStore } from '../domain/ports';
import { DEFAULT_POLICY, type IsoTime, type Seller } from '../domain/types';
import { sellerReport } from './seller-report';

/** Default: three 15-minute sync intervals without success is stale (the operator alarm fires at two). */
export const DEFAULT_STALE_AFTER_MINUTES = 45;
const DAY_MS = 86_400_000;

export interface MarketplaceStatus {
  marketplace: string;
  lastOrderSync: { at: IsoTime | null; broken?: { reason: string; since: IsoTime }; lastError?: { reason: string; at: IsoTime } };
  /** Last `shipnow orders import` for this marketplace (null: none recorded). */
  lastOrderImportAt: IsoTime | null;
  /** The later of the last successful sync and the last import: how fresh the orders are. */
  lastOrdersReceivedAt: IsoTime | null;
  lastEmailAt: IsoTime | null;
  awaiting: number;
  missing: number;
  alertsSent24h: number;
  ok: boolean;
  /** When not ok: the likely cause and what to do (the first of `problems`). */
  cause?: string;
  remedy?: string;
  /** Every problem found, in order: order sync broken, orders missing their email, orders stale. */
  problems?: Array<{ cause: string; remedy: string }>;
}

export interface SellerStatus {
  sellerId: string;
  name: string;
  marketplaces: MarketplaceStatus[];
  /** Alerts sent in the last 24 h (all marketplaces, including seller-wide alerts). */
  alertsSent24h: number;
  alertsFailed24h: number;
  brokenChannels: Array<{ channelId: string; since: IsoTime; reason: string }>;
  /** Seller-wide problems (alert channels, undeliverable alerts). */
  problems: string[];
  ok: boolean;
  /**
   * issue 14: the seller's connected mailbox, when there is one: whether it can be read, and the
   * probe's finding for each order it looked at (where the Sold, Ship Now email went).
   */
  mailbox?: {
    host: string;
    user: string;
    broken?: { reason: string; since: IsoTime };
    lastSuccessAt?: IsoTime;
    findings: Array<OrderProbeFinding & { text: string }>;
  };
}

export interface StatusReport {
  now: IsoTime;
  store: string;
  sellers: SellerStatus[];
  ok: boolean;
}

/** The mailbox part of a seller's status: only findings of orders still missing (the others are over). */
async function mailboxStatus(store: Pick<StatusStore, 'mailbox'>, seller: Seller, rows: MarketplaceStatus[]): Promise<SellerStatus['mailbox']> {
  const settings = mailboxSettingsOf(seller as Seller & { mailbox?: unknown });
  if (!settings || !store.mailbox) return undefined;
  const [health, findings] = await Promise.all([store.mailbox.getHealth(seller.sellerId), store.mailbox.listFindings(seller.sellerId)]);
  const missing = rows.reduce((n, r) => n + r.missing, 0);
  const lang = seller.language ?? 'en';
  return {
    host: settings.host,
    user: settings.user,
    ...(health?.broken ? { broken: { reason: health.broken.reason, since: health.broken.since } } : {}),
    ...(health?.lastSuccessAt ? { lastSuccessAt: health.lastSuccessAt } : {}),
    findings: missing === 0 ? [] : findings.map((f) => ({ ...f, text: probeFindingText(f, lang) })),
  };
}

/** `--seller ID` names no stored seller (bad input: the command exits 2). */
export class UnknownSellerError extends SentinelError {
  readonly sellerId: string;
  constructor(sellerId: string) {
    super(`unknown seller '${sellerId}'`);
    this.sellerId = sellerId;
  }
}

/** The stores the status reads. */
export interface StatusStore {
  /** The embedded store has no scheduled sync (orders come from `orders import` / `orders sync`). */
  kind?: 'embedded' | 'table';
  repo: SentinelRepository;
  ledger: Pick<IntakeLedger, 'lastEmails'>;
  outbox: Pick<AlertOutbox, 'listForSeller'> & Pick<ChannelHealthStore, 'brokenChannels'>;
  sync: Pick<SyncStateStore, 'getHealth'>;
  /** issue 14: the IMAP intake's health and the probe's findings (absent: not shown). */
  mailbox?: Pick<MailboxStateStore, 'getHealth' | 'listFindings'>;
  describe: string;
  close(): Promise<void>;
}

export interface StatusOptions {
  now: IsoTime;
  sellerId?: string;
  staleAfterMinutes?: number;
  graceMinutes?: number;
}

const CAUSE_TEXT: Record<CauseCode, { cause: string; remedy: string }> = {
  'mail-blocked': {
    cause: 'no Sold, Ship Now email arrives at all: the mail is blocked, bounced, or not forwarded',
    remedy: 'Check that the forwarding to the Sentinel address still exists and the contact address in Seller Central > Settings > Account Info; ask the mail provider whether it blocks Amazon.',
  },
  'mail-filtered': {
    cause: 'some emails arrive and some do not: they are being filtered',
    remedy: 'Check the junk/spam folder and mail rules of the forwarding mailbox; add seller-notification@amazon.com to its contacts.',
  },
  'forwarding-path': {
    cause: 'mail arrives marked as spam or forwarded with SPF failing: the forwarding path loses mail',
    remedy: 'Forward with SRS (or without rewriting), or have Amazon send straight to the Sentinel address.',
  },
  'notification-preferences': {
    cause: "only this marketplace is silent: its Notification Preferences",
    remedy: "Seller Central of this marketplace > Settings > Notification Preferences > Order Notifications: turn on Sold, Ship Now and send it to the Sentinel address.",
  },
  unknown: { cause: 'not clear yet', remedy: 'Check Manage Orders in Seller Central and ship the missing orders in time.' },
};

const SYNC_BROKEN_REMEDY: Record<string, string> = {
  'invalid-grant': 'The seller must authorize the ShipNow Sentinel app again in Seller Central (Apps and Services > Manage Your Apps); the next sync then recovers by itself.',
  'authorization-revoked': 'The seller revoked the app: authorize it again in Seller Central (Apps and Services > Manage Your Apps).',
  'credentials-missing': 'Store the seller\'s SP-API refresh token in Secrets Manager under the configured prefix (docs/order-sync.md).',
};

/** On the embedded store `orders sync` takes its credentials from the environment or --secrets-prefix. */
const SYNC_BROKEN_REMEDY_EMBEDDED: Record<string, string> = {
  ...SYNC_BROKEN_REMEDY,
  'credentials-missing': 'Run `shipnow orders sync` with SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and SHIPNOW_SP_API_REFRESH_TOKEN set (or --secrets-prefix), or import an Unshipped Orders report with `shipnow orders import`.',
};

export async function buildStatus(store: Omit<StatusStore, 'close' | 'describe'> & { describe?: string }, options: StatusOptions): Promise<StatusReport> {
  const now = options.now;
  const nowMs = Date.parse(now);
  const staleMs = (options.staleAfterMinutes ?? DEFAULT_STALE_AFTER_MINUTES) * 60_000;
  const policy = { ...DEFAULT_POLICY, graceMinutes: options.graceMinutes ?? DEFAULT_POLICY.graceMinutes };

  let sellers: Seller[];
  if (options.sellerId) {
    const s = await store.repo.getSeller(options.sellerId);
    if (!s) throw new UnknownSellerError(options.sellerId);
    sellers = [s];
  } else {
    sellers = (await store.repo.listSellers()).sort((a, b) => a.sellerId.localeCompare(b.sellerId));
  }

  const embedded = store.kind === 'embedded';
  const out: SellerStatus[] = [];
  for (const seller of sellers) {
    const [report, lastEmails, alerts, broken] = await Promise.all([
      sellerReport(store.repo, seller.sellerId, now, policy),
      store.ledger.lastEmails(seller.sellerId),
      store.outbox.listForSeller(seller.sellerId),
      store.outbox.brokenChannels(seller.sellerId),
    ]);
    const markets = new Set<string>(seller.marketplaces);
    for (const r of report.orders) if (r.marketplace) markets.add(r.marketplace);
    for (const e of lastEmails) markets.add(e.marketplace);
    const health = new Map<string, SyncHealth | undefined>();
    await Promise.all([...markets].map(async (m) => health.set(m, await store.sync.getHealth(seller.sellerId, m))));

    const since = nowMs - DAY_MS;
    const recent = alerts.filter((a) => (a.sentAt ?? '') !== '' && Date.parse(a.sentAt!) >= since);
    const sent24h = recent.filter((a) => a.status === 'sent' && !(a.sentVia ?? []).some((v) => v.startsWith('suppressed')));
    const failed24h = alerts.filter((a) => a.status === 'failed' && Date.parse(a.sentAt ?? a.deliverAt) >= since);
    const alertMarket = (a: (typeof alerts)[number]) => a.alert.marketplace ?? a.alert.order?.marketplace ?? a.alert.notification?.marketplace ?? null;

    const diagnosis = diagnose(
      buildHistory(
        report.orders.map((r) => ({ marketplace: r.marketplace, expectedBy: r.expectedBy, ...(r.notifiedAt ? { notifiedAt: r.notifiedAt } : {}) })),
        lastEmails.map((e) => ({
          marketplace: e.marketplace,
          receivedAt: e.receivedAt,
          spf: e.facts.spf,
          ...(e.facts.spam ? { spam: e.facts.spam } : {}),
          forwarded: e.facts.forwarding?.forwarded ?? false,
        })),
        now,
      ),
    );

    const rows: MarketplaceStatus[] = [...markets].sort().map((m) => {
      const h = health.get(m);
      const orders = report.orders.filter((r) => r.marketplace === m);
      const missing = orders.filter((r) => r.status === 'missing').length;
      const awaiting = orders.filter((r) => r.status === 'awaiting').length;
      const lastEmailAt = lastEmails.find((e) => e.marketplace === m)?.receivedAt ?? null;
      const lastImportAt = h?.lastImportAt ?? null;
      const lastOrdersAt = latest(h?.lastSuccessAt, h?.lastImportAt);
      const row: MarketplaceStatus = {
        marketplace: m,
        lastOrderSync: {
          at: h?.lastSuccessAt ?? null,
          ...(h?.broken ? { broken: { reason: h.broken.reason, since: h.broken.since } } : {}),
          ...(h?.lastError ? { lastError: h.lastError } : {}),
        },
        lastOrderImportAt: lastImportAt,
        lastOrdersReceivedAt: lastOrdersAt,
        lastEmailAt,
        awaiting,
        missing,
        alertsSent24h: sent24h.filter((a) => alertMarket(a) === m).length,
        ok: true,
      };
      // Every cause is reported: a stale or broken sync must not hide why emails are missing.
      const problems: Array<{ cause: string; remedy: string }> = [];
      if (h?.broken) {
        const remedies = embedded ? SYNC_BROKEN_REMEDY_EMBEDDED : SYNC_BROKEN_REMEDY;
        problems.push({ cause: `order sync broken since ${h.broken.since} (${h.broken.reason})`, remedy: remedies[h.broken.reason] ?? 'See docs/order-sync.md.' });
      }
      if (missing > 0) {
        const c = diagnosis.cause === 'notification-preferences' && diagnosis.marketplace !== m ? 'unknown' : diagnosis.cause;
        const ev = diagnosis.evidence.find((e) => e.marketplace === m);
        problems.push({
          cause: `${missing} order(s) missing their email — likely cause: ${CAUSE_TEXT[c].cause}${ev ? ` (${ev.arrived} of ${ev.expected} orders had an email since ${ev.since})` : ''}`,
          remedy: CAUSE_TEXT[c].remedy,
        });
      }
      // Embedded store: orders come only from imports and manual syncs, so any of them is fresh
      // orders. A table has the scheduled sync: a manual import must not hide that it stopped.
      const freshAt = embedded ? lastOrdersAt : (h?.lastSuccessAt ?? null);
      if (!h?.broken && (!freshAt || nowMs - Date.parse(freshAt) > staleMs)) {
        const last = [
          h?.lastSuccessAt ? `last success ${ago(h.lastSuccessAt, nowMs)}` : embedded ? undefined : 'never synced',
          lastImportAt ? `last import ${ago(lastImportAt, nowMs)}` : undefined,
        ].filter(Boolean);
        const error = h?.lastError ? `; last error ${h.lastError.reason} ${ago(h.lastError.at, nowMs)}` : '';
        problems.push(
          embedded
            ? {
                cause: `orders stale: ${last.length > 0 ? last.join(', ') : 'no orders imported or synced yet'}${error}`,
                remedy: `Without fresh orders no missing email is detected, and the embedded store has no scheduled sync: import a fresh Unshipped Orders report with \`shipnow orders import FILE --seller ${seller.sellerId}\` or run \`shipnow orders sync --seller ${seller.sellerId}\` (or raise --stale-after).`,
              }
            : {
                cause: `order sync stale: ${last.join(', ')}${error}`,
                remedy:
                  'Without fresh orders no missing email is detected. Check the order-sync Dispatcher/Worker on the dashboard (errors, throttles, SyncDlq), or run `shipnow orders sync --seller ' +
                  seller.sellerId +
                  '` to see the error.',
              },
        );
      }
      if (problems.length > 0) Object.assign(row, { ok: false, cause: problems[0].cause, remedy: problems[0].remedy, problems });
      return row;
    });

    const problems: string[] = [];
    for (const b of broken) problems.push(`alert channel ${b.channelId} broken since ${b.since} (${b.reason}): fix its configuration; alerts skip it meanwhile`);
    if (failed24h.length > 0) problems.push(`${failed24h.length} alert(s) could not be delivered in the last 24 h: check the seller's channels and tell the seller directly`);
    const mailbox = await mailboxStatus(store, seller, rows);
    if (mailbox?.broken) problems.push(`mailbox ${mailbox.user} at ${mailbox.host} cannot be read since ${mailbox.broken.since} (${mailbox.broken.reason}): run shipnow mailbox connect with a new app password`);
    out.push({
      sellerId: seller.sellerId,
      name: seller.name,
      marketplaces: rows,
      alertsSent24h: sent24h.length,
      alertsFailed24h: failed24h.length,
      brokenChannels: broken.map((b) => ({ channelId: b.channelId, since: b.since, reason: b.reason })),
      problems,
      ok: problems.length === 0 && rows.every((r) => r.ok),
      ...(mailbox ? { mailbox } : {}),
    });
  }
  return { now, store: store.describe ?? '', sellers: out, ok: out.every((s) => s.ok) };
}

function latest(...times: Array<IsoTime | undefined>): IsoTime | null {
  let best: IsoTime | null = null;
  for (const t of times) if (t && (best === null || Date.parse(t) > Date.parse(best))) best = t;
  return best;
}

/** "5 min ago", "3 h ago", "2 days ago": how the report and its renderer say how old a time is. */
export function ago(iso: IsoTime, nowMs: number): string {
  const min = Math.round((nowMs - Date.parse(iso)) / 60_000);
  if (min < 1) return 'just now';
  if (min < 120) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

