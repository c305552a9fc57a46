/**
 * Is this parsed email a "Sold, Ship Now" notification, for which marketplace, in which language,
 * and which order IDs does it name? Pure: no I/O, no clock.
 *
 * How it decides (all patterns are data, below and in marketplaces.ts):
 * 1. The subject, NFKC-normalised (full-width colons and digits become ASCII, half-width katakana
 *    full-width) and stripped of forward/reply prefixes (`Fwd:`, `WG:`, `转发：`, `転送：`...).
 * 2. Positive: a subject pattern of some marketplace in the table. The part of the subject up to
 *    the end of that match is the "frame"; what follows is the item title, which can say anything
 *    ("Sold, ship now: Return of the Jedi") and is never read for negative words.
 * 3. Negative patterns (return, refund, payment, A-to-z, chargeback, buyer message,
 *    cancellation), in every supported language, are matched against the frame, or the whole
 *    subject when nothing positive matched. A negative match always wins.
 * 4. Subject inconclusive (neither positive nor negative): body markers (phrases only a Sold, Ship
 *    Now email carries) in the text or the HTML decide.
 * The marketplace comes from the From domain when it is an Amazon sender domain (subject patterns
 * are shared between marketplaces, e.g. US/CA/AU, ES/MX), else from the subject when unambiguous;
 * the language comes from the pattern that matched, because a seller can receive, say, amazon.de
 * notifications in English. Whether the From domain can be trusted is authenticity.ts's question.
 */
import { domainOf, type ParsedMail } from './mail';
import { MARKETPLACES, marketplaceBySenderDomain, type Marketplace } from './marketplaces';

export type NotSoldCategory =
  | 'return-request'
  | 'refund'
  | 'payment'
  | 'a-to-z-claim'
  | 'chargeback'
  | 'cancellation'
  | 'buyer-message';

export type SoldEmailReason = 'not-sold-ship-now' | 'no-order-id';

export interface SoldEmailClassification {
  soldShipNow: boolean;
  /** Order IDs in the order-ID position, de-duplicated, in order. Also filled for other mail. */
  orderIds: string[];
  /** Marketplace key, e.g. `amazon.de`. */
  marketplace: string | null;
  language: string | null;
  /** Null only for a Sold, Ship Now email with at least one order ID. */
  reason: SoldEmailReason | null;
  /** What other kind of Amazon mail it is, when a negative pattern recognised it. */
  category: NotSoldCategory | null;
}

// ---------------------------------------------------------------------------------------------
// Data

interface NotSoldPattern {
  category: NotSoldCategory;
  language: string;
  /** Regular-expression source, matched case-insensitively against the NFKC-normalised subject. */
  pattern: string;
}

/**
 * Subjects of Amazon seller mail that names an order but is not a Sold, Ship Now notification.
 * Broad on purpose: they are only read where no item title can be (see the file comment).
 * Within a language the first category that matches names the mail, so the order matters:
 * "cancellation request from a buyer" is a cancellation, "message about a return" a return.
 */
export const NOT_SOLD_SUBJECT_PATTERNS: readonly NotSoldPattern[] = [
  ...lang('en', {
    'return-request': '\\breturn(?:s|ed)?\\b|\\brma\\b',
    refund: '\\brefund',
    payment: '\\bpayments?\\b|\\bdisburse|\\bsettlement\\b|\\bremittance\\b',
    'a-to-z-claim': '\\ba-?to-?z\\b|\\bguarantee\\s+claim',
    chargeback: '\\bcharge-?back',
    cancellation: '\\bcancel',
    'buyer-message': '\\bmessage\\s+from\\b|\\binquiry\\s+from\\b|\\bbuyer\\s+message|\\bcustomer\\s+(?:message|inquiry|question)',
  }),
  ...lang('de', {
    'return-request': 'r[üu]cksend|r[üu]ckgabe|retoure',
    refund: 'erstattung|gutschrift',
    payment: 'zahlung|[üu]berweisung',
    'a-to-z-claim': 'a-bis-z|garantieantrag',
    chargeback: 'r[üu]ckbelastung',
    cancellation: 'storn',
    'buyer-message': 'nachricht\\s+von|anfrage\\s+von|k[äa]ufer-?nachricht|kundenanfrage',
  }),
  ...lang('fr', {
    'return-request': '\\bretours?\\b',
    refund: 'rembours',
    payment: '\\bpaiements?\\b|\\bvirement|\\bversement',
    'a-to-z-claim': 'garantie\\s+a\\s*(?:-|à)\\s*z',
    chargeback: 'r[ée]trofacturation',
    cancellation: 'annul',
    'buyer-message': "\\bmessage\\s+(?:de|d['’]un)\\b|question\\s+d['’]un\\s+client",
  }),
  ...lang('it', {
    'return-request': '\\bres[oi]\\b|restituzion',
    refund: 'rimbors',
    payment: 'pagament|bonifico|versament',
    'a-to-z-claim': 'dalla\\s+a\\s+alla\\s+z',
    chargeback: 'riaddebito|storno\\s+di\\s+addebito',
    cancellation: 'annull|cancellazion',
    'buyer-message': 'messaggio\\s+da|domanda\\s+da',
  }),
  ...lang('es', {
    'return-request': 'devoluci[oó]n|devolver',
    refund: 'reembols',
    payment: '\\bpagos?\\b|transferencia|desembolso',
    'a-to-z-claim': 'de\\s+la\\s+a\\s+a\\s+la\\s+z',
    chargeback: 'contracargo',
    cancellation: 'cancelaci[oó]n|cancelad|anulaci[oó]n|anulad',
    'buyer-message': 'mensaje\\s+(?:de|del)\\b|consulta\\s+de',
  }),
  ...lang('nl', {
    'return-request': '\\bretour',
    refund: 'terugbetal',
    payment: 'betaling',
    'a-to-z-claim': 'a-tot-z',
    chargeback: 'terugboeking',
    cancellation: 'annuler',
    'buyer-message': 'bericht\\s+van',
  }),
  ...lang('pt', {
    'return-request': 'devolu[cç][aã]o',
    refund: 'reembols',
    payment: 'pagamento',
    'a-to-z-claim': 'de\\s+a\\s+a\\s+z',
    chargeback: 'estorno',
    cancellation: 'cancelamento|cancelad',
    'buyer-message': 'mensagem\\s+d[eo]',
  }),
  ...lang('ja', {
    'return-request': '返品',
    refund: '返金',
    payment: '支払|入金|振込|振り込み|送金',
    'a-to-z-claim': 'マーケットプレイス保証|a-?to-?z',
    chargeback: 'チャージバック',
    cancellation: 'キャンセル|取り消し|取消',
    'buyer-message': '(?:購入者|購入者様|お客様)からの|問い合わせ|問合せ',
  }),
  // No Amazon marketplace in the table mails in Chinese, but sellers forward and translate
  // notifications, and Seller Central offers Chinese as a notification language.
  ...lang('zh', {
    'return-request': '退货|退貨',
    refund: '退款',
    payment: '付款|支付|转账|轉帳|放款|结算|結算',
    'a-to-z-claim': '交易保障|a-?to-?z',
    chargeback: '拒付|退单',
    cancellation: '取消',
    'buyer-message': '买家(?:消息|留言|来信)|買家(?:訊息|留言)|来自买家|來自買家',
  }),
];

function lang(language: string, byCategory: Record<NotSoldCategory, string>): NotSoldPattern[] {
  // Object keys keep insertion order, which is the precedence order.
  return (Object.keys(byCategory) as NotSoldCategory[]).map((category) => ({
    category,
    language,
    pattern: byCategory[category],
  }));
}

/** Reply and forward prefixes mail clients put before a subject (after NFKC: `：` is `:`). */
export const SUBJECT_PREFIX_PATTERN =
  '^(?:\\s*(?:re|fwd?|fw|aw|wg|tr|rv|r|i|enc|sv|vs|antw|doorst|rif|转发|轉寄|转寄|轉發|回复|回覆|答复|転送|返信)\\s*:\\s*)+';

// ---------------------------------------------------------------------------------------------
// Compiled once

const PREFIX = new RegExp(SUBJECT_PREFIX_PATTERN, 'iu');

const NOT_SOLD = NOT_SOLD_SUBJECT_PATTERNS.map((p) => ({ ...p, regex: new RegExp(p.pattern, 'iu') }));

const POSITIVE = MARKETPLACES.map((m) => ({
  marketplace: m,
  subject: m.email.subjectPatterns.map((p) => new RegExp(p, 'iu')),
  markers: m.email.bodyMarkers.map((s) => normalize(s).toLowerCase()),
}));

/** 3-7-7 digits, not part of a longer token (`x112-…`, `…-12`), but fine next to CJK text. */
const ORDER_ID_SOURCE = '(?<![A-Za-z0-9_-])(\\d{3}-\\d{7}-\\d{7})(?![A-Za-z0-9_]|-\\d)';

/** Every order-ID label of every marketplace: the email may not be in the marketplace's language. */
const LABELLED_ORDER_ID = new RegExp(
  `(?:${uniqueLabels()
    .map(labelSource)
    .join('|')})\\s*#?\\s*${ORDER_ID_SOURCE}`,
  'giu',
);

function uniqueLabels(): string[] {
  const labels = new Set(MARKETPLACES.flatMap((m) => m.email.orderIdLabels.map(normalize)));
  // Longest first, so `Order ID:` is tried before a shorter label that is its prefix.
  return [...labels].sort((a, b) => b.length - a.length);
}

/** A label as a pattern: spacing free (`n° :` = `n°:`), as HTML and line wrapping move it. */
function labelSource(label: string): string {
  return label
    .trim()
    .split(/\s+/)
    .map((word) => word.split(':').map(escapeRegExp).join('\\s*:'))
    .join('\\s*');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Classification

interface SubjectMatch {
  marketplace: Marketplace;
  end: number;
}

export function classifySoldEmail(mail: ParsedMail): SoldEmailClassification {
  const subject = stripSubjectPrefixes(normalize(mail.subject));
  const senderDomain = mail.from ? domainOf(mail.from.address) : null;
  const sender = senderDomain ? marketplaceBySenderDomain(senderDomain) : undefined;
  const bodyText = normalize(mail.text);
  const htmlText = normalize(htmlToText(mail.html));
  const orderIds = extractOrderIds(subject, bodyText, htmlText);

  const matches = subjectMatches(subject);
  const preferred = matches.find((m) => m.marketplace === sender) ?? matches[0];
  const frame = preferred ? subject.slice(0, preferred.end) : subject;
  const negative = notSoldMatch(frame, sender?.language);
  if (negative) {
    return notSold(orderIds, sender, negative.language, negative.category);
  }

  let byPattern = matches.map((m) => m.marketplace);
  if (byPattern.length === 0) byPattern = markerMatches(`${bodyText}\n${htmlText}`.toLowerCase(), sender);
  if (byPattern.length === 0) return notSold(orderIds, sender, null, null);

  return {
    soldShipNow: true,
    orderIds,
    marketplace: sender?.key ?? only(byPattern.map((m) => m.key)),
    language: sender && byPattern.includes(sender) ? sender.language : only(byPattern.map((m) => m.language)),
    reason: orderIds.length > 0 ? null : 'no-order-id',
    category: null,
  };
}

function notSold(
  orderIds: string[],
  sender: Marketplace | undefined,
  language: string | null,
  category: NotSoldCategory | null,
): SoldEmailClassification {
  return { soldShipNow: false, orderIds, marketplace: sender?.key ?? null, language, reason: 'not-sold-ship-now', category };
}

/** The single distinct value, or null when there are none or they disagree. */
function only(values: string[]): string | null {
  const distinct = new Set(values);
  return distinct.size === 1 ? values[0] : null;
}

function subjectMatches(subject: string): SubjectMatch[] {
  const out: SubjectMatch[] = [];
  for (const p of POSITIVE) {
    for (const re of p.subject) {
      const m = re.exec(subject);
      if (m) {
        out.push({ marketplace: p.marketplace, end: m.index + m[0].length });
        break;
      }
    }
  }
  return out;
}

/**
 * The negative pattern that names the mail. Language first: the sender's if one of its patterns
 * matches (so `Retoure` from amazon.de reads as German, not French `retour`); else the language
 * with the longest match (`cancelación` is Spanish, though English `cancel` matches too), kana
 * deciding between Japanese and Chinese, which share kanji such as 取消. Then, within that
 * language, the first category in table order.
 */
function notSoldMatch(text: string, senderLanguage: string | undefined): NotSoldPattern | undefined {
  const hits = NOT_SOLD.map((p) => ({ p, length: p.regex.exec(text)?.[0].length ?? -1 })).filter((h) => h.length >= 0);
  if (hits.length === 0) return undefined;
  const best = new Map<string, number>();
  for (const h of hits) best.set(h.p.language, Math.max(best.get(h.p.language) ?? 0, h.length));
  const preferCjk = KANA.test(text) ? 'ja' : 'zh';
  const score = (language: string): number =>
    (language === senderLanguage ? 1_000_000 : 0) + (best.get(language) ?? 0) * 2 + (language === preferCjk ? 1 : 0);
  // Ties keep table order: sort is stable.
  const language = [...best.keys()].sort((a, b) => score(b) - score(a))[0];
  return hits.find((h) => h.p.language === language)?.p;
}

const KANA = /[\u3041-\u309f\u30a0-\u30ff]/u;

/** Marketplaces whose body markers the (lower-cased) body contains; the sender's are tried first. */
function markerMatches(body: string, sender: Marketplace | undefined): Marketplace[] {
  const own = POSITIVE.find((p) => p.marketplace === sender);
  if (own && own.markers.some((k) => body.includes(k))) return [own.marketplace];
  return POSITIVE.filter((p) => p.markers.some((k) => body.includes(k))).map((p) => p.marketplace);
}

export function stripSubjectPrefixes(subject: string): string {
  return subject.replace(PREFIX, '').trim();
}

function normalize(s: string): string {
  return s.normalize('NFKC');
}

// ---------------------------------------------------------------------------------------------
// Order IDs

/**
 * Order IDs in the order-ID position: those right after an order-ID label in the text or the
 * HTML; if there are none, those in the subject (some templates put the order there); if none,
 * any in the body. De-duplicated, in order of appearance.
 */
export function extractOrderIds(subject: string, text: string, htmlText: string): string[] {
  const labelled = [...idsAfterLabels(text), ...idsAfterLabels(htmlText)];
  if (labelled.length > 0) return unique(labelled);
  const inSubject = allIds(subject);
  if (inSubject.length > 0) return unique(inSubject);
  return unique([...allIds(text), ...allIds(htmlText)]);
}

function idsAfterLabels(text: string): string[] {
  return [...text.matchAll(LABELLED_ORDER_ID)].map((m) => m[1]);
}

const ANY_ORDER_ID = new RegExp(ORDER_ID_SOURCE, 'g');

function allIds(text: string): string[] {
  return [...text.matchAll(ANY_ORDER_ID)].map((m) => m[1]);
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

// ---------------------------------------------------------------------------------------------
// HTML -> text, just enough to find labels and IDs

/** Inline elements are removed without a space, so `<b>Bestell</b>nummer` stays one word. */
const INLINE_TAG = /^<\/?(?:a|abbr|b|big|code|em|font|i|nobr|small|span|strong|sub|sup|u|wbr)\b/i;

/**
 * Tags out, entities decoded. Linear in the input (no backtracking regex over the whole
 * document), since the HTML comes from whoever sent the mail.
 */
export function htmlToText(html: string): string {
  if (html === '') return '';
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    const skipTo = skippedElementEnd(html, lt);
    if (skipTo !== -1) {
      out += ' ';
      i = skipTo;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt === -1) break; // unterminated tag: the rest is not text
    out += INLINE_TAG.test(html.slice(lt, Math.min(gt + 1, lt + 8))) ? '' : ' ';
    i = gt + 1;
  }
  return decodeEntities(out);
}

/** For `<!--`, `<script`, `<style`, `<head`: the index after their end (or the end of input). */
function skippedElementEnd(html: string, lt: number): number {
  if (html.startsWith('<!--', lt)) {
    const end = html.indexOf('-->', lt + 4);
    return end === -1 ? html.length : end + 3;
  }
  const m = /^<(script|style|head|title)\b/i.exec(html.slice(lt, lt + 8));
  if (!m) return -1;
  const closing = new RegExp(`</${m[1]}`, 'gi');
  closing.lastIndex = lt + 1;
  const close = closing.exec(html);
  if (close === null) return html.length;
  const gt = html.indexOf('>', close.index);
  return gt === -1 ? html.length : gt + 1;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  nbsp: '\u00a0', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", deg: '°', ordm: 'º', ordf: 'ª',
  euro: '€', pound: '£', yen: '¥', ndash: '–', mdash: '—', lsquo: '‘', rsquo: '’', ldquo: '“',
  rdquo: '”', laquo: '«', raquo: '»', hellip: '…', middot: '·', times: '×', copy: '©', reg: '®',
  trade: '™', iexcl: '¡', iquest: '¿', szlig: 'ß', auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä',
  Ouml: 'Ö', Uuml: 'Ü', aacute: 'á', eacute: 'é', iacute: 'í', oacute: 'ó', uacute: 'ú',
  Eacute: 'É', agrave: 'à', egrave: 'è', igrave: 'ì', ograve: 'ò', ugrave: 'ù', acirc: 'â',
  ecirc: 'ê', icirc: 'î', ocirc: 'ô', ucirc: 'û', ccedil: 'ç', ntilde: 'ñ', Ntilde: 'Ñ',
};

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));/gi, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex ?? '', 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
