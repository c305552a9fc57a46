import type { SentinelRepository } from '../domain/ports';
import type { AuthVerdicts, IsoTime, NotificationRecord, OrderPolicy } from '../domain/types';
import { markNotified } from './import-orders';
import type { ParsedMail } from '../domain/mail';
import { understandEmail, understandParsed, type EmailUnderstanding } from './understand-email';

export interface IngestEmailInput {
  sellerId: string;
  raw: Buffer;
  /** The message already parsed from `raw`, when the caller had to parse it anyway. */
  parsed?: ParsedMail;
  /** Stable message ID (SES message ID; a content hash for local files). The idempotency key. */
  messageId: string;
  /** Where the raw message is kept (S3 key or file path), for replay. */
  location: string;
  /** Used when the message carries no Received/Date header to tell its arrival. */
  fallbackReceivedAt: IsoTime;
  /** Verdicts from the receiving service (SES receipt); otherwise read from the headers. */
  verdicts?: AuthVerdicts;
  trustedAuthservId?: string;
  /** Mailbox providers whose verdicts are trusted too (`--trust-receiver`). */
  trustReceivers?: readonly string[];
  /** Let mail with no verdict header at all count, marked unverified (`--accept-unverified`). */
  acceptUnverified?: boolean;
}

export type IngestEmailResult =
  | {
      outcome: 'accepted';
      /** True when every notification of this message was already stored (a redelivery). */
      duplicate: boolean;
      orderIds: string[];
      /** Order IDs whose order is stored and now marked notified. */
      matched: string[];
      /** Order IDs not (yet) known: kept, and matched when the order arrives. */
      unmatched: string[];
      marketplace: string;
      language: string;
      receivedAt: IsoTime;
      understanding: EmailUnderstanding;
    }
  | { outcome: 'rejected'; reason: string; understanding: EmailUnderstanding };

/**
 * The intake use case, shared by the SES Lambda and the local folder runner: understand one raw
 * email and, only if it is an authentic Sold, Ship Now notification, record it against the
 * seller's orders. A rejected message never touches any order.
 *
 * Safe to run again for the same message (redelivery, replay, a crash half-way): notifications
 * are created idempotently and matching is re-run, so a retry completes what a crash left undone.
 */
export async function ingestEmail(
  repo: SentinelRepository,
  input: IngestEmailInput,
  now: IsoTime,
  policy: OrderPolicy,
): Promise<IngestEmailResult> {
  const opts = {
    trustedAuthservId: input.trustedAuthservId,
    verdicts: input.verdicts,
    ...(input.trustReceivers ? { trustReceivers: input.trustReceivers } : {}),
    ...(input.acceptUnverified ? { acceptUnverified: true } : {}),
  };
  const understanding = input.parsed ? understandParsed(input.parsed, opts) : await understandEmail(input.raw, opts);
  if (!understanding.soldShipNow || understanding.authentic !== true || understanding.reason !== null) {
    return { outcome: 'rejected', reason: understanding.reason ?? 'not-accepted', understanding };
  }
  // A notice without a marketplace cannot happen (it is derived from the sender domain), but the
  // types allow null; treat it as a rejection rather than guess.
  if (!understanding.marketplace || !understanding.language) {
    return { outcome: 'rejected', reason: 'unknown-marketplace', understanding };
  }

  const receivedAt = understanding.receivedAt ?? input.fallbackReceivedAt;
  let created = 0;
  const matched: string[] = [];
  const unmatched: string[] = [];
  for (const orderId of understanding.orderIds) {
    const n: NotificationRecord = {
      sellerId: input.sellerId,
      orderId,
      messageId: input.messageId,
      marketplace: understanding.marketplace,
      language: understanding.language,
      receivedAt,
      location: input.location,
      verdicts: understanding.verdicts,
      ...(understanding.verified === false ? { verified: false } : {}),
      ...(understanding.shipBy ? { shipBy: understanding.shipBy } : {}),
      ...(understanding.mail?.date ? { sentAt: understanding.mail.date } : {}),
    };
    if ((await repo.putNotification(n)) === 'created') created++;
    if (await markNotified(repo, n, now, policy)) matched.push(orderId);
    else unmatched.push(orderId);
  }
  return {
    outcome: 'accepted',
    duplicate: created === 0,
    orderIds: understanding.orderIds,
    matched,
    unmatched,
    marketplace: understanding.marketplace,
    language: understanding.language,
    receivedAt,
    understanding,
  };
}
