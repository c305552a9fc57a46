import { alertSettings, channelDownAlert, deliverAt, InvalidAlertSettingsError, planOrder, type Alert, type AlertSettings } from '../domain/alerts';
import type { AlertOutbox, LastEmailSource } from '../domain/alert-ports';
import { addMinutes } from '../domain/deadlines';
import { buildHistory, diagnose, type Diagnosis, type EmailEvidence } from '../domain/diagnosis';
import { ConcurrentModificationError } from '../domain/errors';
import { expectedBy, expectsEmail } from '../domain/order-status';
import type { SentinelRepository } from '../domain/ports';
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
  const newlyMissing = new Set<string>();
  for (const order of due.orders) {
    if (options.shouldStop?.()) {
      result.stoppedEarly = true;
      break;
    }
    try {
      const settings = await ctx.settings(order.sellerId);
      const plan = planOrder(order, now, policy, settings);
      for (const alert of plan.alerts) {
        if (alert.kind === 'notification-missing' || alert.kind === 'deadline-reminder') {
          const diagnosis = await ctx.diagnosis(order.sellerId);
          if (diagnosis) alert.diagnosis = diagnosis;
        }
        if (await ctx.emit(alert, settings)) result.alerts.push(alert);
        if (alert.kind === 'notification-missing') newlyMissing.add(order.sellerId);
      }
      if (plan.next) await repo.saveOrder(plan.next, order.version);
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
  }

  // Seller-level: several orders missing in a row and no email at all since.
  for (const sellerId of newlyMissing) {
    if (options.shouldStop?.()) {
      result.stoppedEarly = true;
      break;
    }
    try {
      const settings = await ctx.settings(sellerId);
      const orders = await ctx.orders(sellerId);
      const alert = channelDownAlert({ sellerId, orders, lastEmailAt: await ctx.lastEmailAt(sellerId), now, policy, settings });
      if (alert) {
        const diagnosis = await ctx.diagnosis(sellerId);
        if (diagnosis) alert.diagnosis = diagnosis;
        if (await ctx.emit(alert, settings)) result.alerts.push(alert);
      }
    } catch (error) {
      result.failed.push({ sellerId, orderId: '*', error });
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

/** Per-run caches of what alerting needs per seller (profile, orders, history): read once each. */
class SellerContext {
  private readonly settingsCache = new Map<string, Promise<AlertSettings>>();
  private readonly ordersCache = new Map<string, Promise<StoredOrder[]>>();
  private readonly emailsCache = new Map<string, Promise<Array<EmailEvidence & { marketplace: string }>>>();
  private readonly diagnosisCache = new Map<string, Promise<Diagnosis | undefined>>();

  constructor(
    private readonly repo: SentinelRepository,
    private readonly now: IsoTime,
    private readonly policy: OrderPolicy,
    private readonly alerting: ReconcileAlerting | undefined,
    private readonly onSettingsError: (sellerId: string, error: InvalidAlertSettingsError) => void,
  ) {}

  settings(sellerId: string): Promise<AlertSettings> {
    return cached(this.settingsCache, sellerId, async () => {
      const seller = await this.repo.getSeller(sellerId);
      try {
        return alertSettings(seller);
      } catch (error) {
        if (!(error instanceof InvalidAlertSettingsError)) throw error;
        this.onSettingsError(sellerId, error);
        return alertSettings(undefined);
      }
    });
  }

  orders(sellerId: string): Promise<StoredOrder[]> {
    return cached(this.ordersCache, sellerId, () => this.repo.listOrders(sellerId));
  }

  /** Recent emails' channel facts: the intake ledger when wired, else the stored notifications. */
  emails(sellerId: string): Promise<Array<EmailEvidence & { marketplace: string }>> {
    return cached(this.emailsCache, sellerId, async () => {
      const fromNotifications = (await this.repo.listNotifications(sellerId)).map((n) => ({
        marketplace: n.marketplace,
        receivedAt: n.receivedAt,
        spf: n.verdicts.spf,
        ...(n.verdicts.spam ? { spam: n.verdicts.spam } : {}),
        forwarded: false,
      }));
      if (!this.alerting?.lastEmails) return fromNotifications;
      const last = (await this.alerting.lastEmails.lastEmails(sellerId)).map((e) => ({
        marketplace: e.marketplace,
        receivedAt: e.receivedAt,
        spf: e.facts.spf,
        ...(e.facts.spam ? { spam: e.facts.spam } : {}),
        forwarded: e.facts.forwarding.forwarded,
      }));
      return [...last, ...fromNotifications];
    });
  }

  async lastEmailAt(sellerId: string): Promise<IsoTime | null> {
    const emails = await this.emails(sellerId);
    let best: number | null = null;
    for (const e of emails) {
      const t = Date.parse(e.receivedAt);
      if (t <= Date.parse(this.now) && (best === null || t > best)) best = t;
    }
    return best === null ? null : new Date(best).toISOString();
  }

  diagnosis(sellerId: string): Promise<Diagnosis | undefined> {
    return cached(this.diagnosisCache, sellerId, async () => {
      const orders = (await this.orders(sellerId)).map((o) => ({
        marketplace: o.marketplace,
        notifiedAt: o.notifiedAt,
        expectedBy: expectsEmail(o) ? expectedBy(o, this.policy) : null,
      }));
      const d = diagnose(buildHistory(orders, await this.emails(sellerId), this.now));
      return d.cause === 'unknown' && d.evidence.length === 0 ? undefined : d;
    });
  }

  /** Write to the outbox (when wired); true when this call created it (or there is no outbox). */
  async emit(alert: Alert, settings: AlertSettings): Promise<boolean> {
    if (!this.alerting?.outbox) return true;
    return (await this.alerting.outbox.put(alert, deliverAt(alert, this.now, settings))) === 'created';
  }
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = load();
    map.set(key, p);
  }
  return p;
}
