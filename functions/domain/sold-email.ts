/**
 * Is this parsed email a "Sold, Ship Now" notification, for which marketplace, in which language,
 * which order IDs does it name and by when must they ship? Pure: no I/O, no clock.
 *
 * Classified by Amazon's structure, never by phrases a buyer could write (all signals are data,
 * below and per marketplace in marketplaces.ts), strongest first:
 * 1. Buyer relay: anything from `…@marketplace.amazon.<tld>` is a buyer's message that Amazon
 *    forwards. The buyer wrote it, so whatever it says it never counts.
 * 2. Template marker: the links of the notification carry `nt=SOLD_SHIP_NOW` /
 *    `communicationName=SOLD_SHIP_NOW`. Another template's marker (`nt=RETURN_REQUEST`...) and no
 *    Sold one means some other notice.
 * 3. Sender mailbox: `seller-notification@<marketplace domain>` (recorded as evidence; whether the
 *    From can be believed is authenticity.ts's question).
 * 4. Subject prefix: the subject, NFKC-normalised, stripped of reply/forward prefixes in every
 *    language and of the tags mail filters add (`[SPAM]`, `[EXTERNAL]`, `*****SPAM*****`,
 *    `[Fwd: …]`), must START with a marketplace's Sold prefix and its colon (`Sold, ship now:`,
 *    `注文確定：`). The rest is the seller's own item title (`<SKU> <title>`): no word of it is read.
 * 5. Labelled body fields: the order ID after its label (`Order ID:`), the ship-by date after its
 *    label (`Ship by:`), outside quoted text.
 * A message is a Sold, Ship Now when it is not a buyer relay and has the Sold marker or a Sold
 * subject prefix, unless its subject is recognisably another notice (unshipped reminder, shipment
 * confirmation, return, A-to-z, refund, cancellation, in every language covered). Everything else,
 * including Amazon's other mail that names an order, does not count.
 * The marketplace comes from the From domain when it is an Amazon sender domain (subject forms are
 * shared, e.g. US/CA/AU/IN), else from the subject when unambiguous; the language from the subject
 * form that matched, because a seller can receive amazon.de notifications in English.
 */
import { endOfLocalDay } from './deadlines';
import { domainOf, type ParsedMail } from './mail';
import {
  MARKETPLACES,
  SHARED_SOLD_SUBJECTS,
  isBuyerRelayDomain,
  marketplaceBySenderDomain,
  type DateOrder,
  type EmailEvidence,
  type Marketplace,
} from './marketplaces';
import type { IsoTime } from './types';

export type NotSoldCategory =
  | 'return-request'
  | 'refund'
  | 'payment'
  | 'a-to-z-claim'
  | 'chargeback'
  | 'cancellation'
  | 'buyer-message'
  | 'unshipped-reminder'
  | 'shipment-confirmation';

/** The structural signals found, strongest first (see the file comment). */
export type SoldSignal = 'template-marker' | 'sender-mailbox' | 'subject-prefix' | 'labelled-order-id' | 'labelled-ship-by';

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
  /** The `Ship by:` date as the end of that day in the marketplace's time zone (ISO UTC), or null. */
  shipBy: IsoTime | null;
  /** Which structural signals the message has. */
  signals: SoldSignal[];
  /** How sure we are of the Sold subject form that matched (null when none matched). */
  evidence: EmailEvidence | null;
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
    'unshipped-reminder': '\\bunshipped\\b|\\bnot\\s+(?:yet\\s+)?(?:been\\s+)?(?:shipped|dispatched)|\\b(?:ship|dispatch)ment\\s+(?:is\\s+)?(?:late|overdue)|\\breminder\\b|\\baction\\s+required\\b|\\bpending\\s+orders?\\b',
    'shipment-confirmation': '\\b(?:shipment|dispatch|shipping)\\s+confirm|\\bhas\\s+(?:been\\s+)?(?:shipped|dispatched)|\\bconfirmed\\s+(?:as\\s+)?(?:shipped|dispatched)',
  }),
  ...lang('de', {
    'return-request': 'r[üu]cksend|r[üu]ckgabe|retoure',
    refund: 'erstattung|gutschrift',
    payment: 'zahlung|[üu]berweisung',
    'a-to-z-claim': 'a-bis-z|garantieantrag',
    chargeback: 'r[üu]ckbelastung',
    cancellation: 'storn',
    'buyer-message': 'nachricht\\s+von|anfrage\\s+von|k[äa]ufer-?nachricht|kundenanfrage',
    'unshipped-reminder': 'nicht\\s+versandt|unversandt|erinnerung|ausstehende\\s+bestellung|versp[äa]tet',
    'shipment-confirmation': 'versandbest[äa]tigung|wurde\\s+versandt|versendet\\s+best[äa]tigt',
  }),
  ...lang('fr', {
    'return-request': '\\bretours?\\b',
    refund: 'rembours',
    payment: '\\bpaiements?\\b|\\bvirement|\\bversement',
    'a-to-z-claim': 'garantie\\s+a\\s*(?:-|à)\\s*z',
    chargeback: 'r[ée]trofacturation',
    cancellation: 'annul',
    'buyer-message': "\\bmessage\\s+(?:de|d['’]un)\\b|question\\s+d['’]un\\s+client",
    'unshipped-reminder': 'non\\s+exp[ée]di|rappel|en\\s+attente\\s+d.exp[ée]dition|en\\s+retard',
    'shipment-confirmation': 'confirmation\\s+d.exp[ée]dition|a\\s+[ée]t[ée]\\s+exp[ée]di',
  }),
  ...lang('it', {
    'return-request': '\\bres[oi]\\b|restituzion',
    refund: 'rimbors',
    payment: 'pagament|bonifico|versament',
    'a-to-z-claim': 'dalla\\s+a\\s+alla\\s+z',
    chargeback: 'riaddebito|storno\\s+di\\s+addebito',
    cancellation: 'annull|cancellazion',
    'buyer-message': 'messaggio\\s+da|domanda\\s+da',
    'unshipped-reminder': 'non\\s+spedit|promemoria|in\\s+ritardo|in\\s+attesa\\s+di\\s+spedizione',
    'shipment-confirmation': 'conferma\\s+(?:di\\s+)?spedizione|[èe]\\s+stato\\s+spedit',
  }),
  ...lang('es', {
    'return-request': 'devoluci[oó]n|devolver',
    refund: 'reembols',
    payment: '\\bpagos?\\b|transferencia|desembolso',
    'a-to-z-claim': 'de\\s+la\\s+a\\s+a\\s+la\\s+z',
    chargeback: 'contracargo',
    cancellation: 'cancelaci[oó]n|cancelad|anulaci[oó]n|anulad',
    'buyer-message': 'mensaje\\s+(?:de|del)\\b|consulta\\s+de',
    'unshipped-reminder': 'no\\s+enviad|pendientes?\\s+de\\s+env[ií]o|recordatorio|con\\s+retraso',
    'shipment-confirmation': 'confirmaci[oó]n\\s+de\\s+env[ií]o|ha\\s+sido\\s+enviad',
  }),
  ...lang('nl', {
    'return-request': '\\bretour',
    refund: 'terugbetal',
    payment: 'betaling',
    'a-to-z-claim': 'a-tot-z',
    chargeback: 'terugboeking',
    cancellation: 'annuler',
    'buyer-message': 'bericht\\s+van',
    'unshipped-reminder': 'niet\\s+verzonden|herinnering|te\\s+laat',
    'shipment-confirmation': 'verzendbevestiging|is\\s+verzonden',
  }),
  ...lang('pt', {
    'return-request': 'devolu[cç][aã]o',
    refund: 'reembols',
    payment: 'pagamento',
    'a-to-z-claim': 'de\\s+a\\s+a\\s+z',
    chargeback: 'estorno',
    cancellation: 'cancelamento|cancelad',
    'buyer-message': 'mensagem\\s+d[eo]',
    'unshipped-reminder': 'n[aã]o\\s+enviad|lembrete|atrasad|pendentes?\\s+de\\s+envio',
    'shipment-confirmation': 'confirma[cç][aã]o\\s+de\\s+envio|foi\\s+enviad',
  }),
  ...lang('ja', {
    'return-request': '返品',
    refund: '返金',
    payment: '支払|入金|振込|振り込み|送金',
    'a-to-z-claim': 'マーケットプレイス保証|a-?to-?z',
    chargeback: 'チャージバック',
    cancellation: 'キャンセル|取り消し|取消',
    'buyer-message': '(?:購入者|購入者様|お客様)からの|問い合わせ|問合せ',
    'unshipped-reminder': '未出荷|出荷遅延|リマインダー|出荷されていません|発送されていません',
    'shipment-confirmation': '出荷通知|出荷確認|発送通知|出荷済み|発送済み',
  }),
  ...lang('tr', {
    'return-request': 'iade\\s+talebi|iade',
    refund: 'geri\\s+[öo]deme',
    payment: '[öo]deme',
    'a-to-z-claim': "a'?dan\\s+z'?ye",
    chargeback: 'ters\\s+ibraz',
    cancellation: 'iptal',
    'buyer-message': 'al[ıi]c[ıi]dan\\s+mesaj|m[üu][şs]teri\\s+mesaj',
    'unshipped-reminder': 'g[öo]nderilmemi[şs]|hat[ıi]rlatma|gecikmi[şs]',
    'shipment-confirmation': 'g[öo]nderim\\s+onay|g[öo]nderildi',
  }),
  ...lang('pl', {
    'return-request': 'zwrot(?!\\s+(?:środków|srodkow|pieni))|zwrotu\\s+produktu',
    refund: 'zwrot\\s+(?:środków|srodkow|pieni)',
    payment: 'p[łl]atno[śs]|wyp[łl]at',
    'a-to-z-claim': 'od\\s+a\\s+do\\s+z',
    chargeback: 'obci[ąa][żz]enie\\s+zwrotne',
    cancellation: 'anulow',
    'buyer-message': 'wiadomo[śs][ćc]\\s+od',
    'unshipped-reminder': 'niewys[łl]an|przypomnienie|op[óo][źz]nion',
    'shipment-confirmation': 'potwierdzenie\\s+wysy[łl]ki|zosta[łl]o\\s+wys[łl]ane',
  }),
  ...lang('sv', {
    'return-request': 'retur',
    refund: '[åa]terbetalning',
    payment: 'betalning|utbetalning',
    'a-to-z-claim': 'a-till-z|a\\s+till\\s+z',
    chargeback: 'återkrav|aterkrav',
    cancellation: 'avbokning|annuller|avbrut',
    'buyer-message': 'meddelande\\s+fr[åa]n',
    'unshipped-reminder': 'inte\\s+skickat|p[åa]minnelse|f[öo]rsenad',
    'shipment-confirmation': 'leveransbekr[äa]ftelse|har\\s+skickats',
  }),
  ...lang('ar', {
    'return-request': 'إرجاع|ارجاع',
    refund: 'استرداد',
    payment: 'دفع|الدفعة',
    'a-to-z-claim': 'من\\s+الألف\\s+إلى\\s+الياء|ضمان\\s+أ',
    chargeback: 'رد\\s+المبالغ\\s+المدفوعة',
    cancellation: 'إلغاء|الغاء',
    'buyer-message': 'رسالة\\s+من',
    'unshipped-reminder': 'لم\\s+يتم\\s+شحن|تذكير',
    'shipment-confirmation': 'تأكيد\\s+الشحن|تم\\s+شحن',
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
    'unshipped-reminder': '未发货|未發貨|未发运|提醒|延迟发货',
    'shipment-confirmation': '发货确认|發貨確認|已发货|已發貨|发运确认',
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
  '^(?:\\s*(?:re|fwd?|fw|aw|wg|tr|rv|r|i|enc|sv|vs|antw|doorst|rif|odp|pd|yn|ynt|ilt|ileti|fwd|رد|إعادة\\s+توجيه|转发|轉寄|转寄|轉發|回复|回覆|答复|転送|返信)\\s*:\\s*)+';

/**
 * Tags mail filters and gateways put in front of a subject: any short bracketed tag (`[SPAM]`,
 * `[EXTERNAL]`, `[外部]`, `【外部邮件】`, `(EXTERNAL)`, `{Spam?}`) and asterisk banners
 * (`*****SPAM*****`, `***SUSPECTED SPAM***`). Only leading ones: the Sold prefix must follow.
 */
export const SUBJECT_TAG_PATTERN = '^\\s*(?:\\[[^\\[\\]]{1,40}\\]|【[^【】]{1,40}】|\\((?:external|ext|spam|bulk|suspected spam|外部)\\)|\\{[^{}]{1,40}\\}|\\*{2,}[^*]{1,40}\\*{2,})\\s*';

/** `[Fwd: Sold, ship now: …]`: the whole subject wrapped by an old forwarding client. */
const WRAPPED_FORWARD = /^\s*\[(?:fwd?|fw|tr|wg)\s*:\s*([\s\S]*)\]\s*$/iu;

// ---------------------------------------------------------------------------------------------
// Compiled once

/** Zero-width characters and soft hyphens: invisible, but they break IDs and prefixes apart. */
const INVISIBLE = /[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/gu;
/** Unicode dashes and minus signs that look like the hyphen of an order ID. */
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]/gu;

const PREFIX = new RegExp(SUBJECT_PREFIX_PATTERN, 'iu');
const TAG = new RegExp(SUBJECT_TAG_PATTERN, 'iu');

const NOT_SOLD = NOT_SOLD_SUBJECT_PATTERNS.map((p) => ({ ...p, regex: new RegExp(p.pattern, 'iu') }));

interface CompiledSubject {
  marketplace: Marketplace;
  regex: RegExp;
  language: string;
  evidence: EmailEvidence;
}

/** Every marketplace's own Sold forms, then the shared ones, each anchored at the subject start. */
const SOLD_SUBJECTS: CompiledSubject[] = MARKETPLACES.flatMap((m) =>
  [...m.email.soldSubjects, ...SHARED_SOLD_SUBJECTS].map((f) => ({
    marketplace: m,
    regex: new RegExp(`^(?:${f.prefix})`, 'iu'),
    language: f.language,
    evidence: f.evidence,
  })),
);

const EVIDENCE_RANK: Readonly<Record<EmailEvidence, number>> = { 'real-2026': 0, parser: 1, 'amazon-doc': 2, fixture: 3, unverified: 4 };

/** `nt=SOLD_SHIP_NOW`, `communicationName=SOLD_SHIP_NOW`, also URL-encoded inside a redirect link. */
const TEMPLATE_MARKER = /(?:[?&;]|&amp;|%26|%3F|\b)(?:nt|communicationName)(?:=|%3D)([A-Za-z][A-Za-z0-9_]{2,60})/g;
const SOLD_TEMPLATE = 'SOLD_SHIP_NOW';

/** 3-7-7 digits, not part of a longer token (`x112-…`, `…-12`), but fine next to CJK text. */
const ORDER_ID_SOURCE = '(?<![A-Za-z0-9_-])(\\d{3}-\\d{7}-\\d{7})(?![A-Za-z0-9_]|-\\d)';

/** Every order-ID label of every marketplace: the email may not be in the marketplace's language. */
const LABELLED_ORDER_ID = new RegExp(
  `(?:${uniqueLabels((m) => m.email.orderIdLabels)
    .map(labelSource)
    .join('|')})\\s*#?\\s*${ORDER_ID_SOURCE}`,
  'giu',
);

/** Every ship-by label; the value is read up to the end of its line. */
const LABELLED_SHIP_BY = new RegExp(`(?:${uniqueLabels((m) => m.email.shipByLabels).map(labelSource).join('|')})[ \\t\\u00a0]*:?[ \\t\\u00a0]*([^\\n<]{0,80})`, 'iu');

function uniqueLabels(pick: (m: Marketplace) => string[]): string[] {
  const labels = new Set(MARKETPLACES.flatMap((m) => pick(m).map(normalize)));
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

export function classifySoldEmail(mail: ParsedMail): SoldEmailClassification {
  const subject = cleanSubject(mail.subject);
  const senderDomain = mail.from ? domainOf(mail.from.address) : null;
  const sender = senderDomain ? marketplaceBySenderDomain(senderDomain) : undefined;
  const bodyText = unquotedText(normalize(mail.text));
  const htmlText = unquotedText(normalize(htmlToText(stripBlockquotes(mail.html))));
  const signals: SoldSignal[] = [];

  const templates = templateMarkers(`${mail.text}\n${mail.html}`);
  const soldMarker = templates.has(SOLD_TEMPLATE);
  if (soldMarker) signals.push('template-marker');
  if (sender && mail.from && sender.email.senderMailboxes.includes(localPart(mail.from.address))) signals.push('sender-mailbox');

  const matches = subjectMatches(subject);
  const preferred = matches.find((m) => m.marketplace === sender) ?? matches[0];
  if (preferred) signals.push('subject-prefix');

  const labelled = [...idsAfterLabels(bodyText), ...idsAfterLabels(htmlText)];
  if (labelled.length > 0) signals.push('labelled-order-id');
  // The subject's title is the seller's free text: an ID in it counts only if the frame is Sold
  // and the body has no labelled one (the German "Verkauft, jetzt versenden: Bestellung <id>").
  const orderIds = unique(labelled.length > 0 ? labelled : preferred ? allIds(subject) : []);

  const marketplace = sender ?? onlyMarketplace(matches.map((m) => m.marketplace));
  const shipBy = shipByOf(bodyText, htmlText, marketplace);
  if (shipBy) signals.push('labelled-ship-by');

  const base = { orderIds, shipBy: shipBy?.iso ?? null, signals };
  if (senderDomain && isBuyerRelayDomain(senderDomain)) {
    return notSold(base, sender, negativeOf(subject, sender)?.language ?? sender?.language ?? null, 'buyer-message');
  }
  // Without a Sold subject prefix, the subject may name another notice.
  const negative = preferred ? undefined : negativeOf(subject, sender);
  const otherTemplate = templates.size > 0 && !soldMarker;
  if (negative || otherTemplate || (!preferred && !soldMarker)) {
    return notSold(base, sender, negative?.language ?? null, negative?.category ?? null);
  }

  const language = preferred
    ? (matches.find((m) => m.marketplace === sender)?.language ?? onlyValue(matches.map((m) => m.language)))
    : (sender?.language ?? null);
  return {
    soldShipNow: true,
    ...base,
    marketplace: marketplace?.key ?? null,
    language,
    reason: orderIds.length > 0 ? null : 'no-order-id',
    category: null,
    evidence: preferred?.evidence ?? null,
  };
}

function notSold(
  base: { orderIds: string[]; shipBy: IsoTime | null; signals: SoldSignal[] },
  sender: Marketplace | undefined,
  language: string | null,
  category: NotSoldCategory | null,
): SoldEmailClassification {
  return { soldShipNow: false, ...base, marketplace: sender?.key ?? null, language, reason: 'not-sold-ship-now', category, evidence: null };
}

function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at === -1 ? address : address.slice(0, at)).trim().toLowerCase();
}

/** The single distinct value, or null when there are none or they disagree. */
function onlyValue(values: string[]): string | null {
  const distinct = new Set(values);
  return distinct.size === 1 ? values[0] : null;
}

function onlyMarketplace(values: Marketplace[]): Marketplace | undefined {
  const distinct = new Set(values);
  return distinct.size === 1 ? values[0] : undefined;
}

/** Sold forms matching the subject start, one per marketplace (its strongest), strongest first. */
function subjectMatches(subject: string): CompiledSubject[] {
  const best = new Map<Marketplace, CompiledSubject>();
  for (const c of SOLD_SUBJECTS) {
    if (!c.regex.test(subject)) continue;
    const had = best.get(c.marketplace);
    if (!had || EVIDENCE_RANK[c.evidence] < EVIDENCE_RANK[had.evidence]) best.set(c.marketplace, c);
  }
  return [...best.values()];
}

/**
 * Template names in the links (`nt=…`, `communicationName=…`): Amazon's are upper-case snake
 * case (SOLD_SHIP_NOW), so a tracking parameter such as `nt=1` or `nt=abc` is not one.
 */
function templateMarkers(content: string): Set<string> {
  const out = new Set<string>();
  for (const m of content.matchAll(TEMPLATE_MARKER)) if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(m[1])) out.add(m[1]);
  return out;
}

/**
 * The negative pattern that names the mail. Language first: the sender's if one of its patterns
 * matches (so `Retoure` from amazon.de reads as German, not French `retour`); else the language
 * with the longest match (`cancelación` is Spanish, though English `cancel` matches too), kana
 * deciding between Japanese and Chinese, which share kanji such as 取消. Then, within that
 * language, the first category in table order.
 */
function negativeOf(text: string, sender: Marketplace | undefined): NotSoldPattern | undefined {
  const senderLanguage = sender?.language;
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

/** Reply/forward prefixes only (kept for callers and tests). */
export function stripSubjectPrefixes(subject: string): string {
  return subject.replace(PREFIX, '').trim();
}

/**
 * The subject as classified: NFKC, zero-width characters out, then reply/forward prefixes and
 * filter tags stripped, in any order and stacked (`[EXTERNAL] RE: [SPAM] Fwd: …`), and an old
 * `[Fwd: …]` wrapper unwrapped.
 */
export function cleanSubject(subject: string): string {
  let s = normalize(subject).replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  for (let guard = 0; guard < 20; guard++) {
    const wrapped = WRAPPED_FORWARD.exec(s);
    const next = (wrapped ? wrapped[1] : s).replace(PREFIX, '').replace(TAG, '').trim();
    if (next === s) break;
    s = next;
  }
  return s;
}


function normalize(s: string): string {
  return s.normalize('NFKC').replace(INVISIBLE, '').replace(DASHES, '-');
}

// ---------------------------------------------------------------------------------------------
// Quoted text: what a message quotes (a buyer's words, an earlier mail) is not its own content

/** A line that starts quoted or forwarded content: everything from it on is dropped. */
const QUOTE_START = new RegExp(
  [
    '^\\s*-{2,}\\s*(?:original message|forwarded message|mensaje original|ursprüngliche nachricht|message d.origine|messaggio originale|oorspronkelijk bericht|mensagem original|原始邮件|原始郵件|转发的邮件|轉寄的郵件|元のメッセージ|転送されたメッセージ)',
    '^\\s*begin forwarded message',
    '^\\s*on .{1,200} wrote:\\s*$',
    '^\\s*am .{1,200} schrieb .{0,100}:\\s*$',
    '^\\s*le .{1,200} a écrit\\s*:\\s*$',
    '^\\s*el .{1,200} escribió:\\s*$',
    '^\\s*il .{1,200} ha scritto:\\s*$',
    '^\\s*-{3,}\\s*(?:message|mensaje|nachricht|messaggio|bericht|mensagem|メッセージ)\\s*:?\\s*-{3,}',
  ].join('|'),
  'imu',
);

/** The text without `>`-quoted lines and without anything after a quote/forward separator. */
export function unquotedText(text: string): string {
  const m = QUOTE_START.exec(text);
  const own = m ? text.slice(0, m.index) : text;
  return own
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
}

/** `<blockquote>…</blockquote>` removed (linear: indexOf, no backtracking). */
function stripBlockquotes(html: string): string {
  if (!/<blockquote/i.test(html)) return html;
  let out = '';
  let i = 0;
  const lower = html.toLowerCase();
  while (i < html.length) {
    const start = lower.indexOf('<blockquote', i);
    if (start === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, start);
    const end = lower.indexOf('</blockquote', start);
    if (end === -1) break;
    const gt = lower.indexOf('>', end);
    i = gt === -1 ? html.length : gt + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ship-by

const MONTH_NAMES: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/**
 * The `Ship by:` date of the body (text first, then HTML): numeric in the marketplace's order
 * (`30/11/2026` in amazon.in, `11/30/2026` in amazon.com, `2026/11/30` in amazon.co.jp), or with an
 * English month name (`30 Nov 2026`, `Nov 30, 2026`). A range (`11/30/2026 - 12/02/2026`) gives its
 * last date. The end of that day in the marketplace's time zone; null when absent or unreadable.
 */
function shipByOf(text: string, html: string, m: Marketplace | undefined): { iso: IsoTime } | null {
  for (const source of [text, html]) {
    const hit = LABELLED_SHIP_BY.exec(source);
    if (!hit) continue;
    const iso = parseShipByValue(hit[1], m?.email.dateOrder ?? 'DMY', m?.timeZone ?? 'UTC');
    if (iso) return { iso };
  }
  return null;
}

export function parseShipByValue(value: string, order: DateOrder, timeZone: string): IsoTime | null {
  const dates: Array<[number, number, number]> = [];
  for (const d of value.matchAll(/(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})/g)) {
    const [a, b, c] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (d[1].length === 4) dates.push([a, b, c]);
    else if (d[3].length === 4) {
      // The marketplace's order, unless the numbers only fit the other one (13/11 cannot be M/D).
      const mdy = order === 'MDY' ? a <= 12 : a <= 12 && b > 12;
      dates.push(mdy ? [c, a, b] : [c, b, a]);
    }
  }
  if (dates.length === 0) {
    for (const d of value.matchAll(/(\d{1,2})\.?\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})|([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})/giu)) {
      const month = MONTH_NAMES[(d[2] ?? d[4]).toLowerCase()];
      if (month) dates.push([Number(d[3] ?? d[6]), month, Number(d[1] ?? d[5])]);
    }
  }
  const last = dates[dates.length - 1];
  return last ? endOfLocalDay(last[0], last[1], last[2], timeZone) : null;
}

// ---------------------------------------------------------------------------------------------
// Order IDs

/**
 * Order IDs in the order-ID position: those right after an order-ID label in the text or the
 * HTML; if there are none, those in the subject. De-duplicated, in order of appearance. (The
 * classifier reads the subject only when its frame is a Sold prefix.)
 */
export function extractOrderIds(subject: string, text: string, htmlText: string): string[] {
  const labelled = [...idsAfterLabels(normalize(text)), ...idsAfterLabels(normalize(htmlText))];
  if (labelled.length > 0) return unique(labelled);
  return unique(allIds(normalize(subject)));
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
