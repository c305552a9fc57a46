import { channelDownFromStreak, planOrder } from '../domain/alert-planning';
import { deliverAt } from '../domain/alert-timing';
import { InvalidAlertSettingsError, type AlertSettings } from '../domain/alert-settings';
import { type Alert } from '../domain/alert-model';
import { settingsOrDefaults } from './alert-sources';
import type { AlertOutbox, LastEmailSource } from '../domain/ports';
import { addMinutes } from '../domain/deadlines';
import { diagnose, historyFromStats, type Diagnosis, type EmailEvidence, type HistoryDay } from '../domain/diagnosis';
import { ConcurrentModificationError } from '../domain/errors';
import { expectedAt, expectedBy } from '../domain/order-status';
import type { MailboxStateStore, MissingStreak, RecentOrderStats, SentinelRepository } from '../domain/ports';
import type { OrderProbeFinding } from '../domain/mailbox-probe';
import { mailboxSettingsOf } from '../domain/seller-input';
import type { IsoTime, OrderPolicy, OrderStatus, StoredOrder } from '../domain/types';

export interface Transition {
  sellerId: string;
  orderId: string;
  from: OrderStatus | undefined;
  to: OrderStatus;
  /** When the transition really happened (e.g. expected-by + grace), not when it was noticed. */
  at: IsoTime;
}

export interface ReconcileResult {
  dueOrders: number;
  itemsRead: number;
  readCapacityUnits: number;
  transitions: Transition[];
  /**
   * Alerts raised by this run (with the outbox: only those this run created; a duplicate another
   * run wrote first is not listed). Without an outbox: what would be sent.
   */
  alerts: Alert[];
  /** Orders another writer changed first: left for the next run, which reads them fresh. */
  skipped: number;
  /** Orders that failed for another reason: logged by the caller, pushed back, retried later. */
  failed: Array<{ sellerId: string; orderId: string; error: unknown }>;
  /** True when `shouldStop` ended the run before every due order was looked at. */
  stoppedEarly: boolean;
  /**
   * Sellers whose alert settings are invalid: their alerts still go out with the defaults (a typo
   * must never silence an alert); the caller logs these so the settings get fixed.
   */
  settingsErrors: Array<{ sellerId: string; error: InvalidAlertSettingsError }>;
}

export interface ReconcileAlerting {
  /** Where alerts go (conditional put per alert ID). Absent: alerts are only returned. */
  outbox?: AlertOutbox;
  /** The email-intake ledger's last email per marketplace (channel facts for the diagnosis). */
  lastEmails?: LastEmailSource;
  /**
   * issue 14: the mailbox probe's finding of an order (where its email is in the seller's own
   * mailbox), added to its missing alert and reminders. A failure to read it never holds an alert back.
   */
  mailboxFindings?: Pick<MailboxStateStore, 'getFinding'>;
}

export interface ReconcileOptions {
  limit?: number;
  /** Stop taking new orders when this returns true (e.g. close to the Lambda deadline). */
  shouldStop?: () => boolean;
  alerting?: ReconcileAlerting;
  /** How far a failing order is pushed back (minutes). Default 15. */
  pushBackMinutes?: number;
}

/**
 * One reconciler pass: read only the due orders (sparse index, `alertAfter <= now`), decide each
 * one with the pure domain function (status transition, reminders, resolution: alerts.planOrder)
 * and store it with a conditional write.
 *
 * Alerts are written to the outbox BEFORE the order, each with a conditional put on its
 * deterministic ID: a crash between the two leaves the order due, the next run decides the same
 * alert again and the put finds it there; two concurrent runs compute the same IDs, so each
 * transition yields exactly one outbox item, whichever run's order write wins. One broken order
 * is recorded in `failed` and pushed back, never stops the run.
 *
 * Channel-down is derived from stored state and written before the orders that cause it: per
 * seller, this run's missing transitions are first added to the stored missing streak (idempotent
 * per order), the channel-down alert is decided from the streak as stored and put, and only then
 * are the orders written. A crash anywhere before an order write leaves that order due, so the
 * next run adds it again (no change), decides the same channel-down and finds it in the outbox.
 * If that step fails for a seller, the seller's missing transitions wait for the next run.
 *
 * What alerting reads per seller is bounded, whatever the number of stored orders: the profile,
 * a week of per-day order counters (one Query) and the intake ledger's last emails (one Query).
 * Each order transition is counted into those counters after its conditional write won; the
 * counters are best effort (a crash in between under-counts) and only shape the diagnosis text:
 * nothing that decides whether an alert is sent reads them.
 */
export async function reconcileDue(
  repo: SentinelRepository,
  now: IsoTime,
  policy: OrderPolicy,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const due = await repo.queryDue(now, options.limit);
  const result: ReconcileResult = {
    dueOrders: due.orders.length,
    itemsRead: due.itemsRead,
    readCapacityUnits: due.readCapacityUnits,
    transitions: [],
    alerts: [],
    skipped: 0,
    failed: [],
    stoppedEarly: false,
    settingsErrors: [],
  };
  const ctx = new SellerContext(repo, now, policy, options.alerting, (sellerId, error) => result.settingsErrors.push({ sellerId, error }));
  // The diagnosis sees this run's missing transitions before they are counted (each is counted
  // after its order write, and the alert goes out before that write): plan them first (pure).
  for (const order of due.orders) {
    try {
      const plan = planOrder(order, now, policy, await ctx.settings(order.sellerId));
      if (plan.transition?.to === 'missing' && plan.next) ctx.plannedMissing(plan.next);
    } catch {
      // Decided again, and its failure recorded, in the loop below.
    }
  }
  // Seller-level, before any order write: the stored streak, then channel-down (see above).
  const blocked = new Set<string>();
  for (const [sellerId, planned] of ctx.plannedSellers()) {
    try {
      const alert = await ctx.channelDown(sellerId, planned);
      if (alert && (await ctx.emit(alert, await ctx.settings(sellerId)))) result.alerts.push(alert);
    } catch (error) {
      blocked.add(sellerId);
      result.failed.push({ sellerId, orderId: '*', error });
    }
  }

  for (const order of due.orders) {
    if (options.shouldStop?.()) {
      result.stoppedEarly = true;
      break;
    }
    let saved = false;
    let plan: ReturnType<typeof planOrder> | undefined;
    try {
      const settings = await ctx.settings(order.sellerId);
      plan = planOrder(order, now, policy, settings);
      // Its channel-down step failed: this missing transition waits (due) for the next run.
      if (blocked.has(order.sellerId) && plan.transition?.to === 'missing') continue;
      for (const alert of plan.alerts) {
        if (alert.kind === 'notification-missing' || alert.kind === 'deadline-reminder') {
          const diagnosis = await ctx.diagnosis(order.sellerId);
          if (diagnosis) alert.diagnosis = diagnosis;
          const finding = await ctx.mailboxFinding(order.sellerId, order.orderId);
          if (finding) alert.mailboxFinding = finding;
        }
        if (await ctx.emit(alert, settings, plan.notBefore)) result.alerts.push(alert);
      }
      if (plan.next) await repo.saveOrder(plan.next, order.version);
      saved = true;
      if (plan.transition) {
        result.transitions.push({ sellerId: order.sellerId, orderId: order.orderId, from: plan.transition.from, to: plan.transition.to, at: plan.transition.at });
      }
    } catch (error) {
      if (error instanceof ConcurrentModificationError) result.skipped++;
      else {
        result.failed.push({ sellerId: order.sellerId, orderId: order.orderId, error });
        await pushBack(repo, order, addMinutes(now, options.pushBackMinutes ?? 15));
      }
    }
    // History, counted once per transition: only after this run's conditional order write
    // succeeded (a duplicate or concurrent run that lost the write counts nothing). A failure here
    // is recorded; the order itself is done and is not pushed back. Best effort (see above).
    if (saved && plan?.transition && plan.next) {
      try {
        await ctx.countTransition(plan.next, plan.transition);
      } catch (error) {
        result.failed.push({ sellerId: order.sellerId, orderId: order.orderId, error });
      }
    }
  }

  return result;
}

/** Move a failing order's checkpoint later so it does not block every run; best effort. */
async function pushBack(repo: SentinelRepository, order: StoredOrder, until: IsoTime): Promise<void> {
  try {
    await repo.saveOrder({ ...order, alertAfter: until, version: order.version + 1 }, order.version);
  } catch {
    // The order is still due and is retried by the next run; the original error was recorded.
  }
}

/**
 * Per-run caches of what alerting needs per seller, each read once and bounded whatever the
 * number of stored orders: the profile (one item), the order stats of the last days (one Query,
 * days x marketplaces items), the intake ledger's last email per marketplace (one Query).
 */
class SellerContext {
  private readonly sellerCache = new Map<string, Promise<Awaited<ReturnType<SentinelRepository['getSeller']>>>>();
  private readonly settingsCache = new Map<string, Promise<AlertSettings>>();
  private readonly statsCache = new Map<string, Promise<RecentOrderStats>>();
  private readonly emailsCache = new Map<string, Promise<Array<EmailEvidence & { marketplace: string }>>>();
  private readonly diagnosisCache = new Map<string, Promise<Diagnosis | undefined>>();
  /** This run's missing transitions, not yet in the stats: part of the diagnosis' history. */
  private readonly planned = new Map<string, StoredOrder[]>();

  constructor(
    private readonly repo: SentinelRepository,
    private readonly now: IsoTime,
    private readonly policy: OrderPolicy,
    private readonly alerting: ReconcileAlerting | undefined,
    private readonly onSettingsError: (sellerId: string, error: InvalidAlertSettingsError) => void,
  ) {}

  /** The seller's profile, read once per run (settings, and whether a mailbox is connected). */
  private seller(sellerId: string) {
    return cached(this.sellerCache, sellerId, () => this.repo.getSeller(sellerId));
  }

  settings(sellerId: string): Promise<AlertSettings> {
    return cached(this.settingsCache, sellerId, async () => {
      const { settings, settingsError } = settingsOrDefaults(await this.seller(sellerId));
      if (settingsError) this.onSettingsError(sellerId, settingsError);
      return settings;
    });
  }

  plannedMissing(order: StoredOrder): void {
    push(this.planned, order.sellerId, order);
  }

  plannedSellers(): Array<[string, StoredOrder[]]> {
    return [...this.planned];
  }

  /**
   * Add this run's missing orders expected after the seller's last email to the stored streak
   * (idempotent per order), and decide channel-down from the streak as stored.
   */
  async channelDown(sellerId: string, planned: StoredOrder[]): Promise<Alert | null> {
    const lastEmailAt = await this.lastEmailAt(sellerId);
    let streak: MissingStreak | undefined;
    for (const order of planned) {
      const expectedAt = order.paymentsDate ?? order.purchaseDate;
      if (lastEmailAt !== null && Date.parse(lastEmailAt) >= Date.parse(expectedAt)) continue;
      const s = await this.repo.addToMissingStreak(sellerId, lastEmailAt, order.orderId, expectedAt);
      if (!streak || s.count >= streak.count) streak = s;
    }
    if (!streak) return null;
    const settings = await this.settings(sellerId);
    const alert = channelDownFromStreak({ sellerId, streak, recent: planned, lastEmailAt, now: this.now, policy: this.policy, settings });
    if (!alert) return null;
    const diagnosis = await this.diagnosis(sellerId);
    if (diagnosis) alert.diagnosis = diagnosis;
    return alert;
  }

  private stats(sellerId: string): Promise<RecentOrderStats> {
    return cached(this.statsCache, sellerId, () => this.repo.recentOrderStats(sellerId, this.now, HISTORY_DAYS));
  }

  /**
   * After the order write of a transition succeeded: count it into the stats (best effort, for the
   * diagnosis only; the streak was written before the order, see `channelDown`).
   */
  async countTransition(order: StoredOrder, t: { from: StoredOrder['status']; to: NonNullable<StoredOrder['status']> }): Promise<void> {
    if (!order.marketplace) return;
    if (t.to === 'missing') {
      await this.repo.addOrderStats(order.sellerId, order.marketplace, expectedBy(order, this.policy), { missing: 1, orderAt: expectedAt(order) });
    } else if (t.from === 'missing' && t.to === 'not-expected') {
      // Cancelled (or no longer merchant-fulfilled): it no longer expected an email.
      await this.repo.addOrderStats(order.sellerId, order.marketplace, expectedBy(order, this.policy), { missing: -1, orderAt: expectedAt(order) });
    }
    // missing -> notified is counted where the email marked the order (import-orders markNotified).
  }

  /** Recent emails' channel facts: the intake ledger's last email per marketplace, when wired. */
  emails(sellerId: string): Promise<Array<EmailEvidence & { marketplace: string }>> {
    return cached(this.emailsCache, sellerId, async () => {
      if (!this.alerting?.lastEmails) return [];
      return (await this.alerting.lastEmails.lastEmails(sellerId)).map((e) => ({
        marketplace: e.marketplace,
        receivedAt: e.receivedAt,
        spf: e.facts.spf,
        ...(e.facts.spam ? { spam: e.facts.spam } : {}),
        forwarded: e.facts.forwarding.forwarded,
      }));
    });
  }

  /** The newest email known: the intake ledger's, or the newest that marked an order notified. */
  async lastEmailAt(sellerId: string): Promise<IsoTime | null> {
    const [emails, stats] = await Promise.all([this.emails(sellerId), this.stats(sellerId)]);
    let best: number | null = null;
    const times = [...emails.map((e) => e.receivedAt), ...(stats.lastNotifiedAt ? [stats.lastNotifiedAt] : [])];
    for (const at of times) {
      const t = Date.parse(at);
      if (t <= Date.parse(this.now) && (best === null || t > best)) best = t;
    }
    return best === null ? null : new Date(best).toISOString();
  }

  diagnosis(sellerId: string): Promise<Diagnosis | undefined> {
    return cached(this.diagnosisCache, sellerId, async () => {
      const stats = await this.stats(sellerId);
      const pending: HistoryDay[] = (this.planned.get(sellerId) ?? [])
        .filter((o) => o.marketplace)
        .map((o) => {
          const at = expectedBy(o, this.policy);
          return { marketplace: o.marketplace as string, day: at.slice(0, 10), notified: 0, missing: 1, firstAt: at };
        });
      const d = diagnose(historyFromStats([...stats.days, ...pending], await this.emails(sellerId), this.now, HISTORY_DAYS));
      return d.cause === 'unknown' && d.evidence.length === 0 ? undefined : d;
    });
  }

  /** The probe's finding for the order, when wired; undefined when none or it cannot be read. */
  async mailboxFinding(sellerId: string, orderId: string): Promise<OrderProbeFinding | undefined> {
    if (!this.alerting?.mailboxFindings) return undefined;
    // Only a seller with a connected mailbox has findings: no read for the others.
    if (!mailboxSettingsOf((await this.seller(sellerId)) as { mailbox?: unknown } | undefined)) return undefined;
    try {
      return await this.alerting.mailboxFindings.getFinding(sellerId, orderId);
    } catch {
      return undefined; // evidence only: the alert goes out without it
    }
  }

  /** Write to the outbox (when wired); true when this call created it (or there is no outbox). */
  async emit(alert: Alert, settings: AlertSettings, notBefore?: IsoTime): Promise<boolean> {
    if (!this.alerting?.outbox) return true;
    let at = deliverAt(alert, this.now, settings);
    // A snoozed order's alert waits for the end of the snooze (acknowledgement.ts).
    if (notBefore && Date.parse(notBefore) > Date.parse(at)) at = notBefore;
    return (await this.alerting.outbox.put(alert, at)) === 'created';
  }
}

/** Days of history behind the diagnosis. */
const HISTORY_DAYS = 7;

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = load();
    map.set(key, p);
  }
  return p;
}
