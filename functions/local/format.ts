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
    return [o.orderId, o.marketplace ?? '?', LABEL[o.status], email, deadline(o.shipBy), deadline(o.autoCancelAt)];
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
  if (report.unmatchedNotifications.length > 0) {
    lines.push('', 'Emails for orders not (yet) in any orders file (kept; matched when the order appears):');
    for (const u of report.unmatchedNotifications) lines.push(`  ${u.orderId}  ${u.location}`);
  }
  if (rejectedMail.length > 0) {
    lines.push('', 'Mail not counted as a Sold, Ship Now notification:');
    for (const r of rejectedMail) lines.push(`  ${r.file}: ${r.reason}`);
  }
  return lines.join('\n');
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
