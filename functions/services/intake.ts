/**
 * The intake use case: one stored raw message (S3 object, or a file locally) -> exactly one
 * recorded outcome. Shared by the SES intake Lambda, `shipnow mail replay` and the local runtime.
 *
 *   claim (idempotency, by SES message ID)
 *     -> size limit, fetch, virus verdict, MIME check          -> quarantine (reason, S3 key)
 *     -> recipient alias -> seller                             -> rejected `unknown-alias`
 *     -> ingestEmail (the core email understanding + storage)  -> accepted | rejected (reason)
 *     -> channel facts, "last email received"
 *   complete (the outcome is recorded once; a redelivery is answered `duplicate`)
 *
 * A message that cannot be processed is never dropped: known bad input (oversized, virus, missing
 * or malformed mail) is quarantined (replayable); anything else (an outage, a lost race, a bug)
 * gives the claim back and is thrown, so the queue retries it and finally keeps it in its DLQ —
 * a bug is never taken for bad mail. The claim carries an owner token: only this attempt can
 * complete or release it, so a stale worker whose lease ran out cannot touch the claim of the
 * worker that took over. Nothing here logs or stores buyer personal data:
 * no subject, body, names or addresses; only IDs, reasons, locations, times and verdicts.
 */
import { randomUUID } from 'node:crypto';
import { isBlankMessage, parseMime } from '../adapters/mime-parser';
import { hasReceiverVerdicts, parseAuthenticationResults } from '../domain/authenticity';
import { MalformedMailError, SentinelError } from '../domain/errors';
import {
  aliasesOf,
  delaySeconds,
  envelopeRecipients,
  forwardingFacts,
  sentAtOf,
  type ChannelFacts,
} from '../domain/inbound';
import { type CompletedMessage, type IntakeLedger, type IntakeOutcome, type MailStore } from '../domain/ports';
import { MailNotFoundError, MailTooLargeError } from '../domain/errors';
import type { ParsedMail } from '../domain/mail';
import type { SentinelRepository } from '../domain/ports';
import type { AuthVerdicts, IsoTime, OrderPolicy, Seller } from '../domain/types';
import { ingestEmail } from './ingest-email';
import { trustedIds } from './understand-email';

export interface IntakeConfig {
  /** The operator's inbound domain: sellers' addresses are `<alias>@<inboundDomain>`. */
  inboundDomain: string;
  /** Messages larger than this are quarantined unread (default 10 MB). */
  maxMessageBytes: number;
  trustedAuthservId?: string;
  /** Mailbox providers whose Authentication-Results are trusted too (local `--trust-receiver`). */
  trustReceivers?: readonly string[];
  /** Let mail with no verdict header at all count, marked unverified (local `--accept-unverified`). */
  acceptUnverified?: boolean;
  /**
   * Reject (`no-verdicts`) a message that carries no verdict of the trusted receiver. True on AWS
   * (SES always adds one, so its absence means the message did not come through SES); false for
   * local folders of saved mail.
   */
  requireVerdicts: boolean;
  policy: OrderPolicy;
}

export interface IntakeDeps {
  repo: SentinelRepository;
  ledger: IntakeLedger;
  mailStore: MailStore;
  config: IntakeConfig;
}

export interface IntakeRequest {
  /** SES message ID (or a content hash locally): the idempotency key. */
  messageId: string;
  /** Where the raw message is in the MailStore (S3 key, file path). */
  location: string;
  /** Size in bytes when the trigger says (S3 event); checked before fetching. */
  size?: number;
  /** When the message was received/stored (event time): fallback arrival time. */
  receivedAt: IsoTime;
  /** Present when the trigger carried the SES receipt (SNS/Lambda action paths). */
  receipt?: { recipients: string[]; verdicts: AuthVerdicts };
  /** Route to this seller whatever the recipient (local `check`: one seller owns the folder). */
  sellerId?: string;
  /** Re-run a completed message (`shipnow mail replay`). */
  replay?: boolean;
  /** The claim lasts until then (the invocation's deadline); a crashed attempt is taken over after. */
  leaseUntil: IsoTime;
  now: IsoTime;
  /** This attempt's claim owner token. Default: a random UUID. */
  owner?: string;
}

export type IntakeResult =
  | {
      outcome: 'accepted';
      messageId: string;
      sellerId: string;
      marketplace: string;
      orderIds: string[];
      matched: string[];
      unmatched: string[];
      facts: ChannelFacts;
    }
  /** Already recorded before (redelivery, replay of an accepted message, or a lost race). */
  | { outcome: 'duplicate'; messageId: string; previous: IntakeOutcome | undefined }
  | {
      outcome: 'rejected';
      messageId: string;
      reason: string;
      sellerId?: string;
      /** For `unverified`: the authserv-ids of the (untrusted) verdicts the message carries. */
      receivers?: string[];
    }
  | { outcome: 'quarantined'; messageId: string; reason: string; detail?: string; sellerId?: string };

/** Another worker holds the message right now; retry later (the queue will). */
export class MessageInProgressError extends SentinelError {
  readonly messageId: string;
  constructor(messageId: string) {
    super(`message ${messageId} is being processed by another worker`);
    this.messageId = messageId;
  }
}

export const QUARANTINE_REASONS = ['oversized', 'virus', 'empty-file', 'malformed-mime', 'parser-exception', 'mail-missing'] as const;

export async function intakeMessage(deps: IntakeDeps, req: IntakeRequest): Promise<IntakeResult> {
  const { ledger } = deps;
  const owner = req.owner ?? randomUUID();
  const claim = await ledger.claimMessage(req.messageId, req.location, req.now, req.leaseUntil, { replay: req.replay, owner });
  if (!claim.claimed) {
    if (claim.record.status === 'completed') {
      return { outcome: 'duplicate', messageId: req.messageId, previous: claim.record.outcome };
    }
    throw new MessageInProgressError(req.messageId);
  }
  const previous = claim.record.outcome;
  let result: IntakeResult;
  try {
    result = await processClaimed(deps, req, previous);
    await ledger.completeMessage(req.messageId, completion(result), req.now, owner);
  } catch (err) {
    // Best effort: if the release fails too, the lease runs out and the next delivery takes over.
    await ledger.releaseMessage(req.messageId, owner).catch(() => undefined);
    throw err;
  }
  if (req.replay && result.outcome !== 'quarantined') await ledger.releaseQuarantine(req.messageId);
  return result;
}

/**
 * Replay one message by ID (quarantined or not): its location comes from the quarantine entry or
 * the message record.
 */
export async function replayMessage(
  deps: IntakeDeps,
  messageId: string,
  now: IsoTime,
  opts: { leaseSeconds?: number; sellerId?: string } = {},
): Promise<IntakeResult | undefined> {
  const q = await deps.ledger.getQuarantine(messageId);
  const m = q ? undefined : await deps.ledger.getMessage(messageId);
  const location = q?.location ?? m?.location;
  if (!location) return undefined;
  return intakeMessage(deps, {
    messageId,
    location,
    receivedAt: now,
    replay: true,
    now,
    leaseUntil: new Date(Date.parse(now) + (opts.leaseSeconds ?? 300) * 1000).toISOString(),
    ...(opts.sellerId ? { sellerId: opts.sellerId } : {}),
  });
}

function completion(result: IntakeResult): CompletedMessage | 'unchanged' {
  switch (result.outcome) {
    case 'accepted':
      return {
        outcome: 'accepted',
        sellerId: result.sellerId,
        marketplace: result.marketplace,
        orderIds: result.orderIds,
        facts: result.facts,
      };
    case 'duplicate':
      // A replay of an accepted message changed nothing: keep the whole record as it was
      // (seller, marketplace, orders, facts), not just its outcome.
      return 'unchanged';
    case 'rejected':
      return { outcome: 'rejected', reason: result.reason, sellerId: result.sellerId };
    case 'quarantined':
      return { outcome: 'quarantined', reason: result.reason, sellerId: result.sellerId };
  }
}

async function processClaimed(deps: IntakeDeps, req: IntakeRequest, previous: IntakeOutcome | undefined): Promise<IntakeResult> {
  const { config, ledger } = deps;
  const quarantine = async (reason: string, detail?: string, extra: { sellerId?: string; size?: number } = {}): Promise<IntakeResult> => {
    await ledger.quarantine({
      messageId: req.messageId,
      reason,
      ...(detail === undefined ? {} : { detail: detail.slice(0, 500) }),
      location: req.location,
      quarantinedAt: req.now,
      ...extra,
    });
    return { outcome: 'quarantined', messageId: req.messageId, reason, ...(detail === undefined ? {} : { detail }), ...(extra.sellerId ? { sellerId: extra.sellerId } : {}) };
  };
  const reject = async (reason: string, sellerId?: string): Promise<IntakeResult> => {
    await ledger.recordRejection({
      messageId: req.messageId,
      reason,
      location: req.location,
      rejectedAt: req.now,
      ...(sellerId ? { sellerId } : {}),
    });
    return { outcome: 'rejected', messageId: req.messageId, reason, ...(sellerId ? { sellerId } : {}) };
  };

  // 1. Size: from the event when known, so an oversized message is never downloaded.
  if (req.size !== undefined && req.size > config.maxMessageBytes) {
    return quarantine('oversized', `${req.size} bytes > ${config.maxMessageBytes}`, { size: req.size });
  }
  if (req.receipt?.verdicts.virus === 'fail') return quarantine('virus', 'SES receipt virusVerdict FAIL');

  let raw: Buffer;
  try {
    raw = (await deps.mailStore.get(req.location, config.maxMessageBytes)).raw;
  } catch (err) {
    if (err instanceof MailTooLargeError) return quarantine('oversized', err.message, { size: err.size });
    if (err instanceof MailNotFoundError) return quarantine('mail-missing', err.message);
    throw err; // S3 unavailable, access denied: retried by the queue, then kept in the DLQ.
  }

  // 2. Is it a mail message at all? The same parser the understanding uses.
  let mail: ParsedMail;
  try {
    mail = await parseMime(raw);
  } catch (err) {
    if (err instanceof MalformedMailError) {
      return isBlankMessage(raw) ? quarantine('empty-file', err.message) : quarantine('malformed-mime', err.reason ?? err.message);
    }
    throw err; // parseMime turns every parser failure into MalformedMailError: anything else is a bug.
  }

  const headerVerdicts = parseAuthenticationResults(mail.headers, trustedIds(config));
  const verdicts: AuthVerdicts = req.receipt?.verdicts ?? headerVerdicts;
  if ((verdicts.virus ?? headerVerdicts.virus) === 'fail') return quarantine('virus', 'X-SES-Virus-Verdict FAIL');

  // 3. Routing: the recipient alias decides the seller.
  let seller: Seller | undefined;
  if (req.sellerId) {
    seller = await deps.repo.getSeller(req.sellerId);
    if (!seller) return reject('unknown-seller');
  } else {
    const aliases = aliasesOf(envelopeRecipients(mail.headers, req.receipt?.recipients), config.inboundDomain);
    if (aliases.length === 0) return reject('no-inbound-recipient');
    const sellers = new Map<string, Seller>();
    for (const alias of aliases) {
      const s = await deps.repo.sellerByAlias(alias);
      if (s) sellers.set(s.sellerId, s);
    }
    if (sellers.size === 0) return reject('unknown-alias');
    // One message for two sellers' aliases cannot be one seller's notification: never guess.
    if (sellers.size > 1) return reject('ambiguous-recipient');
    seller = [...sellers.values()][0];
  }
  const sellerId = seller.sellerId;

  if (config.requireVerdicts && !hasReceiverVerdicts(verdicts)) return reject('no-verdicts', sellerId);

  // 4. The core: understand and record against this seller's orders only.
  let ingested;
  try {
    ingested = await ingestEmail(
      deps.repo,
      {
        sellerId,
        raw,
        parsed: mail,
        messageId: req.messageId,
        location: req.location,
        fallbackReceivedAt: req.receivedAt,
        ...(req.receipt ? { verdicts: req.receipt.verdicts } : {}),
        ...(config.trustedAuthservId ? { trustedAuthservId: config.trustedAuthservId } : {}),
        ...(config.trustReceivers ? { trustReceivers: config.trustReceivers } : {}),
        ...(config.acceptUnverified ? { acceptUnverified: true } : {}),
      },
      req.now,
      config.policy,
    );
  } catch (err) {
    // Only known bad input is quarantined; an outage, a lost race or a bug (a TypeError) is
    // thrown: retried by the queue, then kept in its DLQ, logged with its cause by the handler.
    if (isBadMail(err)) return quarantine('parser-exception', errorName(err), { sellerId });
    throw err;
  }
  if (ingested.outcome === 'rejected') {
    if (/^(malformed-mime|empty-file)/.test(ingested.reason)) return quarantine('malformed-mime', ingested.reason, { sellerId });
    const rejected = await reject(ingested.reason, sellerId);
    // Which receivers' verdicts an unverified message carries: the flag that would trust them.
    const receivers = ingested.understanding.receivers;
    if (rejected.outcome === 'rejected' && ingested.reason === 'unverified' && receivers.length > 0) return { ...rejected, receivers };
    return rejected;
  }

  // 5. Channel facts for diagnosis.
  const sentAt = sentAtOf(mail.headers);
  let orderDelay: number | null = null;
  for (const orderId of ingested.matched) {
    const order = await deps.repo.getOrder(sellerId, orderId);
    const d = delaySeconds(order?.paymentsDate ?? order?.purchaseDate, ingested.receivedAt);
    if (d !== null && (orderDelay === null || d > orderDelay)) orderDelay = d;
  }
  const used = ingested.understanding.verdicts;
  const facts: ChannelFacts = {
    receivedAt: ingested.receivedAt,
    ...(sentAt ? { sentAt } : {}),
    transitSeconds: delaySeconds(sentAt, ingested.receivedAt),
    orderDelaySeconds: orderDelay,
    spf: used.spf,
    dkim: used.dkim,
    dmarc: used.dmarc,
    ...((used.spam ?? headerVerdicts.spam) ? { spam: used.spam ?? headerVerdicts.spam } : {}),
    ...((used.virus ?? headerVerdicts.virus) ? { virus: used.virus ?? headerVerdicts.virus } : {}),
    forwarding: forwardingFacts(mail.headers),
  };
  // Every notification already stored and the message accepted before: a replay that changed
  // nothing. (Stored but never completed means an earlier attempt crashed: finish it as accepted.)
  if (ingested.duplicate && previous === 'accepted') {
    return { outcome: 'duplicate', messageId: req.messageId, previous };
  }
  await deps.ledger.recordLastEmail({
    sellerId,
    marketplace: ingested.marketplace,
    messageId: req.messageId,
    receivedAt: ingested.receivedAt,
    facts,
  });
  return {
    outcome: 'accepted',
    messageId: req.messageId,
    sellerId,
    marketplace: ingested.marketplace,
    orderIds: ingested.orderIds,
    matched: ingested.matched,
    unmatched: ingested.unmatched,
    facts,
  };
}

/** The errors that mean "this mail cannot be understood": the only ones that quarantine. */
export function isBadMail(err: unknown): boolean {
  return err instanceof MalformedMailError || err instanceof MailTooLargeError || err instanceof MailNotFoundError;
}

/** The error's class and message, never message content (parsers do not put content in errors). */
function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : String(err).slice(0, 300);
}
