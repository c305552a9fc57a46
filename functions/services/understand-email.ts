/**
 * One raw email -> everything the rest of the system needs to know about it: is it a Sold, Ship
 * Now notification, for which orders, marketplace and language, is it authentic, and when did it
 * arrive. Used by the SES intake (with the receipt's verdicts) and by `shipnow parse`.
 *
 * Never throws for bad input: an empty or malformed file is an answer (`authentic: null`, reason
 * `empty-file` / `malformed-mime: ...`), because one broken file must not stop a folder run.
 * Unexpected errors (bugs) still throw.
 */
import { isBlankMessage, parseMime } from '../adapters/mime-parser';
import { DEFAULT_TRUSTED_AUTHSERV_ID, decideAuthenticity, hasAnyVerdictHeader, parseAuthenticationResults, receiversOf } from '../domain/authenticity';
import { MalformedMailError } from '../domain/errors';
import { receivedAtOf, type ParsedMail } from '../domain/mail';
import { classifySoldEmail } from '../domain/sold-email';
import type { AuthVerdicts, IsoTime } from '../domain/types';

export interface EmailUnderstanding {
  soldShipNow: boolean;
  orderIds: string[];
  marketplace: string | null;
  language: string | null;
  /** Null only when the message could not be parsed. */
  authentic: boolean | null;
  /**
   * True when a trusted receiver's verdict decided authenticity; false when none did (the message
   * is `unverified`, or counted anyway by `acceptUnverified`); null when unparsed.
   */
  verified: boolean | null;
  /** The `Ship by:` date of a Sold, Ship Now email (end of that day in its marketplace), or null. */
  shipBy: IsoTime | null;
  /** authserv-ids of every Authentication-Results header in the message (trusted or not). */
  receivers: string[];
  /**
   * Null only for an authentic Sold, Ship Now email with order IDs. Otherwise the authenticity
   * reason when not authentic (it takes precedence), else the classification's.
   */
  reason: string | null;
  /** The verdicts used; `authservId` absent means no trusted receiver verdict was found. */
  verdicts: AuthVerdicts;
  mail: ParsedMail | null;
  /** Date of the topmost Received header, else the Date header, in ISO UTC. */
  receivedAt: IsoTime | null;
}

export interface UnderstandEmailOptions {
  /** authserv-id whose Authentication-Results header is trusted; default `amazonses.com`. */
  trustedAuthservId?: string;
  /**
   * Mailbox providers whose verdicts are trusted too (`--trust-receiver mx.google.com`), in
   * addition to `trustedAuthservId` (SES, under its topmost-hop rule).
   */
  trustReceivers?: readonly string[];
  /** Let mail with no verdict header at all count on its From (`verified: false`). */
  acceptUnverified?: boolean;
  /** Verdicts from the receiving service (SES receipt); they replace header parsing. */
  verdicts?: AuthVerdicts;
  /** Reject (`no-verdicts`) when there is no trusted verdict at all, instead of accepting on From. */
  requireVerdicts?: boolean;
}

export async function understandEmail(raw: Buffer, opts: UnderstandEmailOptions = {}): Promise<EmailUnderstanding> {
  let mail: ParsedMail;
  try {
    mail = await parseMime(raw);
  } catch (err) {
    if (!(err instanceof MalformedMailError)) throw err;
    return unparsed(isBlankMessage(raw) ? 'empty-file' : (err.reason ?? `malformed-mime: ${err.message}`), opts);
  }
  return understandParsed(mail, opts);
}

/** The same decision for a message already parsed (the intake parses once for routing, too). */
export function understandParsed(mail: ParsedMail, opts: UnderstandEmailOptions = {}): EmailUnderstanding {
  const verdicts = opts.verdicts ?? parseAuthenticationResults(mail.headers, trustedIds(opts));
  const classification = classifySoldEmail(mail);
  const authenticity = decideAuthenticity(
    { address: mail.from?.address, count: mail.fromCount, ...(mail.rawFrom ? { raw: mail.rawFrom } : {}) },
    verdicts,
    { requireVerdicts: opts.requireVerdicts, acceptUnverified: opts.acceptUnverified, hasVerdictHeaders: opts.verdicts !== undefined || hasAnyVerdictHeader(mail.headers) },
  );
  return {
    soldShipNow: classification.soldShipNow,
    orderIds: classification.orderIds,
    marketplace: classification.marketplace,
    language: classification.language,
    authentic: authenticity.authentic,
    verified: authenticity.verified,
    shipBy: classification.soldShipNow ? classification.shipBy : null,
    receivers: receiversOf(mail.headers),
    reason: authenticity.authentic ? classification.reason : authenticity.reason,
    verdicts,
    mail,
    receivedAt: receivedAtOf(mail),
  };
}

function unparsed(reason: string, opts: UnderstandEmailOptions): EmailUnderstanding {
  return {
    soldShipNow: false,
    orderIds: [],
    marketplace: null,
    language: null,
    authentic: null,
    verified: null,
    shipBy: null,
    receivers: [],
    reason,
    verdicts: opts.verdicts ?? { spf: 'none', dkim: 'none', dmarc: 'none' },
    mail: null,
    receivedAt: null,
  };
}

/** SES's authserv-id (or the configured one) plus every `--trust-receiver`. */
export function trustedIds(opts: Pick<UnderstandEmailOptions, 'trustedAuthservId' | 'trustReceivers'>): string[] {
  return [opts.trustedAuthservId ?? DEFAULT_TRUSTED_AUTHSERV_ID, ...(opts.trustReceivers ?? [])];
}
