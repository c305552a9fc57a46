/**
 * Diagnosis, pure: from a seller's recent history per marketplace, the likely reason Sold, Ship
 * Now emails go missing, following Amazon's own troubleshooting list (Seller Central help
 * "Not receiving notifications"):
 * - all mail stopped                       -> connection blocked or bounced (`mail-blocked`):
 *   contact the ISP, confirm it is not filtering Amazon; check the contact address in Account
 *   Info; a full mailbox;
 * - some arrive, some do not               -> filtered (`mail-filtered`): junk and trash folders,
 *   spam rules, add seller-notification@amazon.com to contacts;
 * - arriving with a spam verdict, or forwarded with SPF failing -> the forwarding path
 *   (`forwarding-path`);
 * - only one marketplace affected          -> that marketplace's Notification Preferences
 *   (`notification-preferences`, "amazon.de: 0 of 7 orders had an email since Tuesday").
 * The texts of the causes and remedies live in alert-message.ts (both languages); this module
 * only decides, with its evidence.
 */
import type { AuthResult, IsoTime } from './types';

export type CauseCode = 'mail-blocked' | 'mail-filtered' | 'forwarding-path' | 'notification-preferences' | 'unknown';

/** One recent email's channel facts (from the intake ledger or the notification's verdicts). */
export interface EmailEvidence {
  receivedAt: IsoTime;
  spf: AuthResult;
  spam?: AuthResult;
  forwarded: boolean;
}

export interface MarketplaceHistory {
  marketplace: string;
  /** Orders that expected an email in the window (grace over). */
  expected: number;
  /** Of those, how many had their email. */
  arrived: number;
  /** Start of the window (the first expected order's time). */
  since: IsoTime;
  /** Recent accepted emails of this marketplace. */
  emails: EmailEvidence[];
}

export interface Diagnosis {
  cause: CauseCode;
  /** The one marketplace affected (notification-preferences), else absent. */
  marketplace?: string;
  /** Per affected marketplace: expected vs arrived since when, for the message. */
  evidence: Array<{ marketplace: string; expected: number; arrived: number; since: IsoTime }>;
  /** forwarding-path: what was seen. */
  forwardingSigns?: { spamVerdicts: number; forwardedSpfFailures: number };
}

const SPF_FAILING: ReadonlySet<AuthResult> = new Set<AuthResult>(['fail', 'softfail']);

/**
 * The likely cause. Precedence, most specific first: one marketplace silent while others deliver
 * (a per-marketplace setting), then signs on the mail that does arrive (spam verdicts, forwarded
 * with SPF failing), then everything silent (blocked), then partial loss (filtered).
 */
export function diagnose(history: readonly MarketplaceHistory[]): Diagnosis {
  const withOrders = history.filter((h) => h.expected > 0);
  const affected = withOrders.filter((h) => h.arrived < h.expected);
  const evidence = affected.map(({ marketplace, expected, arrived, since }) => ({ marketplace, expected, arrived, since }));
  if (affected.length === 0) return { cause: 'unknown', evidence };

  const silent = affected.filter((h) => h.arrived === 0);
  const delivering = withOrders.filter((h) => h.arrived > 0);
  const anyEmail = history.some((h) => h.emails.length > 0);
  if (silent.length === 1 && affected.length === 1 && (delivering.length > 0 || history.some((h) => h !== silent[0] && h.emails.length > 0))) {
    return { cause: 'notification-preferences', marketplace: silent[0].marketplace, evidence };
  }

  const emails = history.flatMap((h) => h.emails);
  const spamVerdicts = emails.filter((e) => e.spam === 'fail').length;
  const forwardedSpfFailures = emails.filter((e) => e.forwarded && SPF_FAILING.has(e.spf)).length;
  if (spamVerdicts + forwardedSpfFailures > 0) {
    return { cause: 'forwarding-path', evidence, forwardingSigns: { spamVerdicts, forwardedSpfFailures } };
  }

  const totalArrived = withOrders.reduce((n, h) => n + h.arrived, 0);
  if (totalArrived === 0 && !anyEmail) return { cause: 'mail-blocked', evidence };
  if (totalArrived === 0 && silent.length === withOrders.length) return { cause: 'mail-blocked', evidence };
  return { cause: 'mail-filtered', evidence };
}

/** The facts `buildHistory` needs about an order (StoredOrder satisfies it). */
export interface HistoryOrder {
  marketplace: string | null;
  notifiedAt?: IsoTime;
  /** Expected-by (expected time + grace) when the order expects an email; else null. */
  expectedBy: IsoTime | null;
}

/**
 * Per-marketplace history over the last `windowDays` up to `now`, from the orders themselves (for
 * callers that hold them anyway, e.g. the local `status` command; the reconciler reads the
 * bounded counters instead: `historyFromStats`): orders whose email was due in the window, how
 * many had it, and the channel facts of the recent emails (intake ledger's last
 * email per marketplace, plus notifications' verdicts).
 */
export function buildHistory(
  orders: readonly HistoryOrder[],
  emails: ReadonlyArray<EmailEvidence & { marketplace: string }>,
  now: IsoTime,
  windowDays = 7,
): MarketplaceHistory[] {
  const acc = historyAccumulator(now, windowDays);
  for (const o of orders) {
    if (!o.expectedBy || !o.marketplace) continue;
    if (!acc.inWindow(o.expectedBy)) continue;
    const h = acc.get(o.marketplace);
    h.expected++;
    if (o.notifiedAt) h.arrived++;
    if (Date.parse(o.expectedBy) < Date.parse(h.since)) h.since = o.expectedBy;
  }
  return acc.finish(emails);
}

/** Per-marketplace histories being built over the window ending at `now` (shared by both builders). */
function historyAccumulator(now: IsoTime, windowDays: number) {
  const n = Date.parse(now);
  const from = n - windowDays * 86_400_000;
  const by = new Map<string, MarketplaceHistory>();
  const inWindow = (iso: IsoTime) => {
    const t = Date.parse(iso);
    return t <= n && t >= from;
  };
  const get = (m: string): MarketplaceHistory => {
    let h = by.get(m);
    if (!h) {
      h = { marketplace: m, expected: 0, arrived: 0, since: now, emails: [] };
      by.set(m, h);
    }
    return h;
  };
  const finish = (emails: ReadonlyArray<EmailEvidence & { marketplace: string }>): MarketplaceHistory[] => {
    for (const e of emails) {
      if (!inWindow(e.receivedAt)) continue;
      const { marketplace, ...evidence } = e;
      get(marketplace).emails.push(evidence);
    }
    return [...by.values()].sort((x, y) => x.marketplace.localeCompare(y.marketplace));
  };
  return { get, inWindow, finish, fromMs: from };
}

/** One day's counters of one marketplace (the repository's order stats; OrderStatsDay fits). */
export interface HistoryDay {
  marketplace: string;
  day: string;
  notified: number;
  missing: number;
  firstAt: IsoTime;
}

/**
 * Per-marketplace history from day counters (bounded: days x marketplaces), the same shape as
 * `buildHistory`: expected = notified + missing, arrived = notified, since = the first counted
 * order's expected-by. Days are whole UTC days of the orders' expected-by, so the window is the
 * last `windowDays` days plus today. `emails`: the recent emails' channel facts (the intake
 * ledger's last email per marketplace).
 */
export function historyFromStats(
  days: readonly HistoryDay[],
  emails: ReadonlyArray<EmailEvidence & { marketplace: string }>,
  now: IsoTime,
  windowDays = 7,
): MarketplaceHistory[] {
  const acc = historyAccumulator(now, windowDays);
  const fromDay = new Date(acc.fromMs).toISOString().slice(0, 10);
  for (const d of days) {
    if (d.day < fromDay || d.notified + d.missing <= 0) continue;
    const h = acc.get(d.marketplace);
    h.expected += d.notified + Math.max(0, d.missing);
    h.arrived += d.notified;
    if (Date.parse(d.firstAt) < Date.parse(h.since)) h.since = d.firstAt;
  }
  return acc.finish(emails);
}
