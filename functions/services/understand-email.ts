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
import { decideAuthenticity, parseAuthenticationResults } from '../domain/authenticity';
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
    return unparsed(isBlankMessage(raw) ? 'empty-file' : `malformed-mime: ${err.message}`, opts);
  }
  return understandParsed(mail, opts);
}

/** The same decision for a message already parsed (the intake parses once for routing, too). */
export function understandParsed(mail: ParsedMail, opts: UnderstandEmailOptions = {}): EmailUnderstanding {
  const verdicts = opts.verdicts ?? parseAuthenticationResults(mail.headers, opts.trustedAuthservId);
  const classification = classifySoldEmail(mail);
  const authenticity = decideAuthenticity(mail.from?.address, verdicts, { requireVerdicts: opts.requireVerdicts, fromCount: mail.fromCount });
  return {
    soldShipNow: classification.soldShipNow,
    orderIds: classification.orderIds,
    marketplace: classification.marketplace,
    language: classification.language,
    authentic: authenticity.authentic,
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
    reason,
    verdicts: opts.verdicts ?? { spf: 'none', dkim: 'none', dmarc: 'none' },
    mail: null,
    receivedAt: null,
  };
}
