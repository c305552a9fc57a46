/** The text of `shipnow status` (without --json): one block per seller, one row per marketplace. */
import { ago, type StatusReport } from '../services/seller-status';

export function renderStatus(r: StatusReport): string[] {
  const nowMs = Date.parse(r.now);
  const lines = [`ShipNow Sentinel status at ${r.now} (${r.store})`];
  if (r.sellers.length === 0) lines.push('No sellers yet: add one with `shipnow seller add`.');
  const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));
  for (const s of r.sellers) {
    lines.push('');
    lines.push(`${s.sellerId}  ${s.name}  — ${s.ok ? 'OK' : 'NEEDS ATTENTION'}; alerts sent in the last 24 h: ${s.alertsSent24h}${s.alertsFailed24h ? `, undeliverable: ${s.alertsFailed24h}` : ''}`);
    lines.push(`  ${pad('marketplace', 14)}${pad('orders received', 20)}${pad('last email', 16)}${pad('awaiting', 9)}${pad('missing', 8)}${pad('alerts 24h', 11)}status`);
    for (const m of s.marketplaces) {
      const received = m.lastOrdersReceivedAt ?? m.lastOrderSync.at;
      const sync = m.lastOrderSync.broken
        ? 'BROKEN'
        : received
          ? `${ago(received, nowMs)}${received !== m.lastOrderSync.at ? ' (import)' : ''}`
          : 'never';
      lines.push(
        `  ${pad(m.marketplace, 14)}${pad(sync, 20)}${pad(m.lastEmailAt ? ago(m.lastEmailAt, nowMs) : 'never', 16)}${pad(String(m.awaiting), 9)}${pad(String(m.missing), 8)}${pad(String(m.alertsSent24h), 11)}${m.ok ? 'OK' : 'PROBLEM'}`,
      );
    }
    for (const m of s.marketplaces.filter((x) => !x.ok)) {
      for (const p of m.problems ?? [{ cause: m.cause ?? '', remedy: m.remedy ?? '' }]) {
        lines.push(`  ! ${m.marketplace}: ${p.cause}`);
        lines.push(`    What to do: ${p.remedy}`);
      }
    }
    for (const p of s.problems) lines.push(`  ! ${p}`);
    if (s.mailbox) {
      const mb = s.mailbox;
      lines.push(`  mailbox ${mb.user} at ${mb.host}: ${mb.broken ? `BROKEN since ${mb.broken.since}` : mb.lastSuccessAt ? `read ${ago(mb.lastSuccessAt, nowMs)}` : 'connected'}`);
      for (const f of mb.findings) lines.push(`    ${f.orderId}: ${f.diagnosis} — ${f.text}`);
    }
  }
  return lines;
}
