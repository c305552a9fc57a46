/**
 * What `npm start` (and `shipnow check`) would send: the alerts of the local check's reconciler
 * pass, rendered in both languages, grouped per seller into a digest when there are more than a
 * few — exactly as the alert sender would (same domain functions). Optionally delivered to a local
 * aws-ses-v2-local server (docs/alerting.md).
 */
import { basename } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesEmailChannel } from '../adapters/channels/aws';
import { renderAlert, renderDigest, type RenderedMessage } from '../domain/alert-message';
import type { Alert } from '../domain/alert-model';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from '../domain/alert-settings';
import { unknownOrderAlerts } from '../domain/alert-planning';
import { shouldDigest } from '../domain/alert-timing';
import type { CheckOutcome } from './run-check';

export interface PreviewOptions {
  /** Default: both languages, Asia/Shanghai (the defaults of a seller without settings). */
  settings?: Partial<AlertSettings>;
  /** Sellers' ID for unknown-order alerts; default the first alert's or `local-seller`. */
  sellerId?: string;
}

/** The alerts of the local run: the reconciler's, plus unknown-order ones from the report. */
export function localAlerts(outcome: CheckOutcome, opts: PreviewOptions = {}): Alert[] {
  const settings = { ...DEFAULT_ALERT_SETTINGS, ...opts.settings };
  const sellerId = opts.sellerId ?? outcome.reconcile.alerts[0]?.sellerId ?? 'local-seller';
  const unknown = unknownOrderAlerts(
    sellerId,
    outcome.report.unmatchedNotifications.map((n) => ({
      sellerId,
      orderId: n.orderId,
      messageId: basename(n.location),
      marketplace: 'unknown',
      language: 'en',
      receivedAt: n.receivedAt,
      location: n.location,
      verdicts: { spf: 'none', dkim: 'none', dmarc: 'none' },
    })),
    outcome.report.now,
    settings,
  );
  return [...outcome.reconcile.alerts, ...unknown];
}

/** The messages the sender would send for these alerts (one digest per seller above the threshold). */
export function previewMessages(alerts: readonly Alert[], now: string, opts: PreviewOptions = {}): Array<{ sellerId: string; message: RenderedMessage; alerts: Alert[] }> {
  const settings = { ...DEFAULT_ALERT_SETTINGS, ...opts.settings };
  const bySeller = new Map<string, Alert[]>();
  for (const a of alerts) bySeller.set(a.sellerId, [...(bySeller.get(a.sellerId) ?? []), a]);
  const out: Array<{ sellerId: string; message: RenderedMessage; alerts: Alert[] }> = [];
  for (const [sellerId, list] of bySeller) {
    if (shouldDigest(list.length, settings)) out.push({ sellerId, message: renderDigest(list, settings, now), alerts: list });
    else for (const a of list) out.push({ sellerId, message: renderAlert(a, settings, now), alerts: [a] });
  }
  return out;
}

/** Text for the terminal: `Alerts that would be sent (N)`, then each message. */
export function renderAlerts(outcome: CheckOutcome, opts: PreviewOptions = {}): string {
  const messages = previewMessages(localAlerts(outcome, opts), outcome.report.now, opts);
  if (messages.length === 0) return 'Alerts that would be sent: none';
  const lines = [`Alerts that would be sent (${messages.length} message${messages.length === 1 ? '' : 's'}):`];
  for (const m of messages) lines.push('', `Subject: ${m.message.subject}`, '', m.message.text);
  return lines.join('\n');
}

export interface LocalSesOptions {
  /** e.g. `http://127.0.0.1:8005` (aws-ses-v2-local's default port). */
  endpoint: string;
  from?: string;
  to?: string[];
}

/** Send the preview messages to a local aws-ses-v2-local server; resolves to the number sent. */
export async function deliverToLocalSes(outcome: CheckOutcome, ses: LocalSesOptions, opts: PreviewOptions = {}): Promise<number> {
  const client = new SESv2Client({
    endpoint: ses.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const channel = new SesEmailChannel('local-ses', client, ses.from ?? 'alerts@shipnow.local', ses.to ?? ['seller@shipnow.local']);
    const messages = previewMessages(localAlerts(outcome, opts), outcome.report.now, opts);
    for (const m of messages) await channel.send(m);
    return messages.length;
  } finally {
    client.destroy();
  }
}
