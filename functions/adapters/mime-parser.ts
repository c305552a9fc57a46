/**
 * Raw RFC 5322 / MIME bytes -> domain ParsedMail, with mailparser.
 *
 * Why mailparser and not postal-mime (which parses about 2.5x faster): postal-mime decodes
 * charsets with the platform TextDecoder, and Node 20's TextDecoder('windows-1252') decodes as
 * Latin-1, so bytes 0x80-0x9F (’ – € …) become C1 control characters. UK and other EU seller mail
 * is often windows-1252. mailparser decodes through iconv-lite (and encoding-japanese for
 * ISO-2022-JP); test/adapters/mime-parser.test.ts pins that down.
 *
 * mailparser accepts anything, even a JPEG, and never throws for malformed input, so the header
 * section is checked here first (see `checkHeaderSection`) and MalformedMailError is raised for
 * what is not a mail message.
 *
 * RFC 2047 words in the headers mailparser leaves encoded (it decodes only Subject, addresses and a
 * few more) are decoded by libmime, the library mailparser itself decodes with (same charset table:
 * iconv-lite, encoding-japanese for ISO-2022-JP, GB2312 read as GBK).
 */
import { simpleParser } from 'mailparser';
import type { AddressObject, EmailAddress, HeaderValue, ParsedMail as LibParsedMail } from 'mailparser';
import libmime from 'libmime';
import { MalformedMailError, OUTLOOK_MSG_REASON } from '../domain/errors';
import type { MailHeader, ParsedMail } from '../domain/mail';
import { parseRfc5322Date } from '../domain/mail';

const PARSER_OPTIONS = {
  // The classifier reads the HTML itself; converting HTML to text, text to HTML and linkifying
  // would cost most of the parse time for nothing.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  keepCidLinks: true,
} as const;

export async function parseMime(raw: Buffer): Promise<ParsedMail> {
  if (isOutlookMsg(raw)) throw new MalformedMailError('an Outlook .msg file (binary compound file), not MIME', { reason: OUTLOOK_MSG_REASON });
  const message = normalizeMessageStart(raw);
  checkHeaderSection(message);
  let parsed: LibParsedMail;
  try {
    parsed = await simpleParser(message, PARSER_OPTIONS);
  } catch (err) {
    throw new MalformedMailError(`MIME parser failed: ${errorMessage(err)}`, { cause: err });
  }
  return toDomain(parsed);
}

function toDomain(parsed: LibParsedMail): ParsedMail {
  const headers = parsed.headerLines.map(toMailHeader);
  const dateHeader = headers.find((h) => h.key === 'date');
  const date = dateHeader === undefined ? undefined : parseRfc5322Date(dateHeader.value);
  const messageId = parsed.messageId?.replace(/^<|>$/g, '').trim();
  return {
    from: firstAddress(parsed.from),
    fromCount: fromCount(parsed, headers),
    rawFrom: parsed.headerLines.filter((h) => h.key.toLowerCase() === 'from').map(rawHeaderValue),
    to: recipients(parsed),
    subject: parsed.subject ?? '',
    ...(date === undefined ? {} : { date }),
    ...(messageId ? { messageId } : {}),
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    headers,
  };
}

// ---------------------------------------------------------------------------------------------
// Is this a mail message at all?

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
// RFC 5322 §3.6.8 field name: printable US-ASCII except colon; obsolete syntax allows WSP before it.
const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/**
 * The rule for "not a mail message":
 * - empty, or only whitespace;
 * - the first line is not a header field (no header section at all, e.g. a CSV or a PDF);
 * - a line of the header section is neither a field nor a folded continuation;
 * - the header section never ends with the empty line, i.e. the file stops mid-header (truncated);
 *   a message needs that empty line before any body, and every mailer writes it;
 * - neither From nor Subject is present: nothing identifies it as a message.
 */
export function checkHeaderSection(message: Buffer): void {
  if (isBlankMessage(message)) throw new MalformedMailError('empty message');
  const fields = new Set<string>();
  let start = 0;
  let lineNo = 0;
  let terminated = false;
  while (start < message.length) {
    const lf = message.indexOf(LF, start);
    const end = lf === -1 ? message.length : lf;
    const contentEnd = end > start && message[end - 1] === CR ? end - 1 : end;
    lineNo++;
    if (lf === -1) {
      throw new MalformedMailError(`header section not terminated: input ends in line ${lineNo} (truncated)`);
    }
    if (contentEnd === start) {
      if (lineNo === 1) throw new MalformedMailError('no header section: message starts with an empty line');
      terminated = true;
      break;
    }
    const first = message[start];
    if (first === SPACE || first === TAB) {
      if (lineNo === 1) throw new MalformedMailError('no header section: first line is a continuation line');
    } else {
      const line = message.toString('latin1', start, Math.min(contentEnd, start + 200));
      const m = FIELD_START.exec(line);
      if (!m) throw new MalformedMailError(`not a header field in line ${lineNo} of the header section`);
      fields.add(m[0].slice(0, -1).trim().toLowerCase());
    }
    start = lf + 1;
  }
  if (!terminated) throw new MalformedMailError('header section not terminated by an empty line (truncated)');
  if (!fields.has('from') && !fields.has('subject')) {
    throw new MalformedMailError('neither From nor Subject header');
  }
}

/** Empty, or nothing but whitespace and line breaks. */
export function isBlankMessage(buf: Buffer): boolean {
  for (const b of buf) if (b !== SPACE && b !== TAB && b !== CR && b !== LF) return false;
  return true;
}

/** OLE2 compound file signature: what Outlook's "Save as .msg" writes. */
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export function isOutlookMsg(raw: Buffer): boolean {
  return raw.length >= OLE2_MAGIC.length && raw.subarray(0, OLE2_MAGIC.length).equals(OLE2_MAGIC);
}

const OUTLOOK_HEADERS_LINE = /^Microsoft Mail Internet Headers Version [\d.]+\s*$/i;

/**
 * What genuine saved mail may carry before its first header, removed here: a UTF-8 byte order
 * mark, blank lines, the mbox `From sender date` envelope line, and the "Microsoft Mail Internet
 * Headers Version 2.0" line Outlook writes when headers are copied out. A file whose lines end in
 * a bare CR (classic Mac OS, some exporters) gets CRLF line ends. Nothing else is changed.
 */
export function normalizeMessageStart(raw: Buffer): Buffer {
  let msg = raw;
  if (msg.length >= 3 && msg[0] === 0xef && msg[1] === 0xbb && msg[2] === 0xbf) msg = msg.subarray(3);
  if (msg.indexOf(LF) === -1 && msg.indexOf(CR) !== -1) msg = Buffer.from(msg.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
  for (let guard = 0; guard < 1000; guard++) {
    let i = 0;
    while (i < msg.length && (msg[i] === CR || msg[i] === LF)) i++;
    if (i > 0 && i < msg.length) msg = msg.subarray(i);
    const lf = msg.indexOf(LF);
    if (lf === -1) break;
    const first = msg.toString('latin1', 0, Math.min(lf, 200)).replace(/\r$/, '');
    if (first.startsWith('From ') || OUTLOOK_HEADERS_LINE.test(first)) {
      msg = msg.subarray(lf + 1);
      continue;
    }
    break;
  }
  return msg;
}

// ---------------------------------------------------------------------------------------------
// Headers

function toMailHeader({ key, line }: { key: string; line: string }): MailHeader {
  const colon = line.indexOf(':');
  const folded = colon === -1 ? '' : line.slice(colon + 1);
  // mailparser hands over the raw bytes as a binary string; 8-bit header text is UTF-8 (RFC 6532).
  const unfolded = Buffer.from(folded.replace(/\r?\n(?=[ \t])/g, ''), 'latin1').toString('utf8');
  return { key: key.toLowerCase(), value: decodeEncodedWords(unfolded).trim() };
}

/** A raw header line's value: unfolded, NOT decoded (for the strict From check). */
function rawHeaderValue({ line }: { line: string }): string {
  const colon = line.indexOf(':');
  return colon === -1 ? '' : line.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').trim();
}

/**
 * Decodes RFC 2047 encoded words. Adjacent words are joined before decoding their charset
 * (RFC 2047 §6.2 drops the whitespace between them, and many encoders split a multi-byte
 * character or an ISO-2022-JP escape sequence across two words); libmime does that.
 */
export function decodeEncodedWords(value: string): string {
  return value.includes('=?') ? libmime.decodeWords(value) : value;
}

/** Bytes in a named charset -> text, with libmime's charset table. Unknown charsets fall back to UTF-8. */
export function decodeCharset(bytes: Buffer, charset: string): string {
  return libmime.decodeWord(charset, 'B', bytes.toString('base64'));
}

// ---------------------------------------------------------------------------------------------
// Addresses

function isAddressObject(v: HeaderValue | undefined): v is AddressObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && 'value' in v && Array.isArray(v.value);
}

function addressObjects(v: HeaderValue | AddressObject | AddressObject[] | undefined): AddressObject[] {
  if (v === undefined) return [];
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.filter((x): x is AddressObject => isAddressObject(x as HeaderValue));
}

/** Mailbox entries, group members included (`undisclosed: a@x, b@y;`). */
function mailboxes(objects: AddressObject[]): EmailAddress[] {
  const out: EmailAddress[] = [];
  const visit = (e: EmailAddress): void => {
    if (e.group) e.group.forEach(visit);
    else if (e.address) out.push(e);
  };
  objects.forEach((o) => o.value.forEach(visit));
  return out;
}

/** Mailboxes named by all From headers (mailparser keeps only the last From header's). */
function fromCount(parsed: LibParsedMail, headers: readonly { key: string }[]): number {
  const fromHeaders = headers.filter((h) => h.key === 'from').length;
  return Math.max(fromHeaders, mailboxes(addressObjects(parsed.from)).length);
}

function firstAddress(from: AddressObject | undefined): ParsedMail['from'] {
  const first = mailboxes(addressObjects(from))[0];
  if (!first?.address) return null;
  const name = first.name?.trim();
  return name ? { address: first.address, name } : { address: first.address };
}

function recipients(parsed: LibParsedMail): string[] {
  const all = [
    ...mailboxes(addressObjects(parsed.to)),
    ...mailboxes(addressObjects(parsed.cc)),
    ...mailboxes(addressObjects(parsed.headers.get('delivered-to'))),
  ];
  // Lower-cased: the per-seller alias is looked up case-insensitively, as mail systems do.
  return [...new Set(all.map((a) => (a.address ?? '').toLowerCase()).filter((a) => a !== ''))];
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
