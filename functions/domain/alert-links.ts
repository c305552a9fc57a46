/**
 * The links an alert carries, pure: "handled" and "snooze 4 h" for an order alert, signed for the
 * seller and the order (signed-links.ts, purposes `ack` / `snooze`), and the signed status link of
 * the weekly report. The base URL is the deployment's web endpoint (`webBaseUrl`; locally
 * `shipnow serve`); without one, alerts carry no links and say how to stop reminders from the CLI.
 *
 * URLs: `<base>/ack?token=<token>` for both answers (the token's purpose says which, and the
 * snooze's minutes are in it), `<base>/status?token=<token>`, `<base>/setup?token=<token>`. The
 * page behind `/ack` shows what the link does and confirms with a POST, so a mail scanner that
 * fetches every link acknowledges nothing.
 */
import { DEFAULT_SNOOZE_MINUTES } from './acknowledgement';
import type { Alert } from './alert-model';
import { linkClaims, signLink, type LinkPurpose } from './signed-links';

export const WEB_PATHS: Readonly<Record<LinkPurpose, string>> = { status: '/status', setup: '/setup', ack: '/ack', snooze: '/ack' };

/** What a renderer needs to sign links: the web endpoint, the current key, the time. */
export interface LinkSigning {
  webBaseUrl: string;
  key: Uint8Array;
  nowMs: number;
}

export interface AlertAction {
  kind: 'handled' | 'snooze';
  url: string;
  /** For a snooze: how long. */
  snoozeMinutes?: number;
}

/** `<base><path>?token=<token>` (a base with a path prefix keeps it). */
export function webLink(webBaseUrl: string, purpose: LinkPurpose, token: string): string {
  const base = webBaseUrl.replace(/\/+$/, '');
  return `${base}${WEB_PATHS[purpose]}?token=${encodeURIComponent(token)}`;
}

/** Kinds whose order still has reminders to stop. */
const ACTIONABLE: ReadonlySet<Alert['kind']> = new Set<Alert['kind']>(['notification-missing', 'deadline-reminder']);

/** The alert's order, when it is about one whose reminders a seller can stop. */
export function actionableOrder(alert: Alert): string | undefined {
  return ACTIONABLE.has(alert.kind) && alert.order && alert.order.orderState !== 'Shipped' ? alert.order.orderId : undefined;
}

/** "Handled" and "snooze 4 h" for an order alert; [] for any other alert. */
export function alertActions(alert: Alert, signing: LinkSigning, snoozeMinutes = DEFAULT_SNOOZE_MINUTES): AlertAction[] {
  const orderId = actionableOrder(alert);
  if (!orderId) return [];
  const ack = signLink(linkClaims(alert.sellerId, 'ack', signing.nowMs, { orderId }), signing.key);
  const snooze = signLink(linkClaims(alert.sellerId, 'snooze', signing.nowMs, { orderId, snoozeMinutes }), signing.key);
  return [
    { kind: 'handled', url: webLink(signing.webBaseUrl, 'ack', ack) },
    { kind: 'snooze', url: webLink(signing.webBaseUrl, 'snooze', snooze), snoozeMinutes },
  ];
}

/** The seller's status page, signed (the weekly report's link). */
export function statusLink(sellerId: string, signing: LinkSigning): string {
  return webLink(signing.webBaseUrl, 'status', signLink(linkClaims(sellerId, 'status', signing.nowMs), signing.key));
}
