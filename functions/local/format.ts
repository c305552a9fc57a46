import { countdown as alertCountdown, formatTime } from '../domain/alert-message';
import { marketplaceByKey } from '../domain/marketplaces';
import type { IsoTime, OrderStatus } from '../domain/types';
import type { CheckOutcome } from './run-check';

/** `in 2d 4h`, `3h 20m ago`, `now`: the same countdown the alert messages use. */
export function countdown(target: IsoTime, now: IsoTime): string {
  return alertCountdown(target, now, 'en');
}

/** `2026-11-28 13:00 GMT+1`: a time in the marketplace's own zone, as Seller Central shows it. */
export const localTime = formatTime;

const LABEL: Record<OrderStatus, string> = {
  missing: 'MISSING',
  awaiting: 'awaiting',
  notified: 'notified',
  'not-expected': 'not expected',
};

/** The readable form of a check: what a seller wants to see first (missing orders) at the top. */
export function renderCheck(outcome: CheckOutcome, graceMinutes: number): string {
  const { report, rejectedMail } = outcome;
  const { now } = report;
  const lines: string[] = [];
  lines.push(`ShipNow Sentinel check at ${now} (grace ${graceMinutes} min)`);
  lines.push('');
  const header = ['ORDER ID', 'MARKETPLACE', 'STATUS', 'EMAIL', 'SHIP BY', 'AUTO-CANCEL'];
  const rows = report.orders.map((o) => {
    const tz = (o.marketplace && marketplaceByKey(o.marketplace)?.timeZone) || 'UTC';
    const email =
      o.status === 'notified' && o.notifiedAt
        ? `arrived ${localTime(o.notifiedAt, tz)}`
        : o.expectedBy && o.status !== 'not-expected'
          ? `${o.status === 'missing' ? 'due' : 'due by'} ${localTime(o.expectedBy, tz)} (${countdown(o.expectedBy, now)})`
          : '-';
    const deadline = (t: IsoTime | null) => (t ? `${countdown(t, now)} (${localTime(t, tz)})` : '-');
    // An order notified by mail no receiver verified (--accept-unverified) is marked.
    const status = o.status === 'notified' && o.verified === false ? `${LABEL[o.status]} (unverified)` : LABEL[o.status];
    return [o.orderId, o.marketplace ?? '?', status, email, deadline(o.shipBy), deadline(o.autoCancelAt)];
  });
  lines.push(...table([header, ...rows]));
  const s = report.summary;
  lines.push('');
  lines.push(
    `${report.orders.length} orders: ${s.missing} missing, ${s.awaiting} awaiting, ${s.notified} notified, ${s.notExpected} not expected`,
  );
  if (s.missing > 0) {
    lines.push(
      'Missing: no Sold, Ship Now email arrived for these orders. Check Manage Orders in Seller Central,',
      'and your Notification Preferences and spam folder; ship before the ship-by date.',
    );
  }
  const unknownOrder = report.unmatchedNotifications.filter((u) => u.reason === 'no-order');
  const implausible = report.unmatchedNotifications.filter((u) => u.reason !== 'no-order');
  if (unknownOrder.length > 0) {
    lines.push('', 'Emails for orders not (yet) in any orders file (kept; matched when the order appears):');
    for (const u of unknownOrder) lines.push(`  ${u.orderId}  ${u.location}`);
  }
  if (implausible.length > 0) {
    lines.push('', 'Emails that name an order but cannot be its notification (not counted):');
    for (const u of implausible) lines.push(`  ${u.orderId}  ${u.location}: ${u.reason}`);
  }
  const unverifiedNotified = report.orders.filter((o) => o.verified === false).length;
  if (unverifiedNotified > 0) {
    lines.push('', `${unverifiedNotified} order(s) notified by mail that no receiver verified (--accept-unverified): marked (unverified).`);
  }
  if (rejectedMail.length > 0) {
    lines.push('', 'Mail not counted as a Sold, Ship Now notification:');
    for (const r of rejectedMail) lines.push(`  ${r.file}: ${r.reason}`);
  }
  const unverified = rejectedMail.filter((r) => r.reason === 'unverified');
  if (unverified.length > 0) lines.push('', ...unverifiedHint(unverified));
  return lines.join('\n');
}

/**
 * How many emails were unverified and which flag would trust them: `--trust-receiver ID` for each
 * receiver whose verdicts they carry (topmost first), `--accept-unverified` for those with none.
 */
function unverifiedHint(unverified: ReadonlyArray<{ receivers?: string[] }>): string[] {
  const byReceiver = new Map<string, number>();
  let bare = 0;
  for (const u of unverified) {
    const top = u.receivers?.[0];
    if (top) byReceiver.set(top, (byReceiver.get(top) ?? 0) + 1);
    else bare++;
  }
  const lines = [`${unverified.length} email(s) unverified: no verdict of a trusted receiver, so they do not count.`];
  for (const [id, n] of byReceiver) {
    lines.push(`  ${n} carry verdicts of ${id}: if that is your mailbox provider (an export), add --trust-receiver ${id}`);
  }
  if (bare > 0) {
    lines.push(`  ${bare} carry no Authentication-Results at all: --accept-unverified lets them count, marked (unverified)`);
  }
  lines.push('  (exports from Gmail: --trust-receiver mx.google.com; use the first word of the topmost Authentication-Results header)');
  return lines;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) =>
    r
      .map((c, i) => c + ' '.repeat(widths[i] - [...c].length))
      .join('  ')
      .trimEnd(),
  );
}
