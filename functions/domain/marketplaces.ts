/**
 * The marketplace table: data, not code. Adding a marketplace means adding one entry here.
 *
 * Evidence for the email fields: Amazon's help pages, the labels and subjects public third-party
 * parsers of real mail use, and the structure of one real 2026 amazon.in message. `emailEvidence`
 * records how sure we are of each marketplace's notification (strongest first):
 * - `real-2026`: the structure was seen in a real message received in 2026;
 * - `parser`: strings public third-party code uses to filter real mail;
 * - `amazon-doc`: Amazon's help names the notification (not its exact subject);
 * - `fixture`: only seen in someone's test data;
 * - `unverified`: built by analogy (a new marketplace, a translated subject). Such a marketplace is
 *   still recognised by the template marker and by the English subject, which Amazon sends to
 *   sellers who use Seller Central in English.
 *
 * What a Sold, Ship Now notification looks like (see functions/domain/sold-email.ts for how the
 * signals are weighed): the template marker `nt=SOLD_SHIP_NOW` / `communicationName=SOLD_SHIP_NOW`
 * in its links, the sender `seller-notification@<marketplace domain>`, a subject that starts with
 * the marketplace's Sold prefix and its colon (`Sold, ship now: <SKU> <title>`), and labelled body
 * fields (`Order ID:`, `Ship by:`).
 */

export type Region = 'NA' | 'EU' | 'FE';

/** A rule that cancels an unconfirmed order automatically. The earliest applicable one wins. */
export type AutoCancelRule =
  | { kind: 'days-after-order'; days: number; source: string }
  | { kind: 'business-days-after-latest-ship'; days: number; source: string }
  | { kind: 'days-after-latest-ship'; days: number; source: string };

export type EmailEvidence = 'real-2026' | 'parser' | 'amazon-doc' | 'fixture' | 'unverified';

/** How a marketplace writes a numeric date in its emails: day/month/year, month/day/year, year/month/day. */
export type DateOrder = 'DMY' | 'MDY' | 'YMD';

/** One accepted form of the Sold subject: a prefix ending in its colon, and its language. */
export interface SoldSubject {
  /**
   * Regular-expression source of the prefix, matched case-insensitively at the start of the
   * NFKC-normalised subject (after reply/forward prefixes and filter tags are stripped). It must
   * end with the colon: what follows is the seller's own item title and decides nothing.
   */
  prefix: string;
  language: string;
  evidence: EmailEvidence;
}

export interface Marketplace {
  /** Key used everywhere: the retail domain. */
  key: string;
  /** Short code used on the command line (`--marketplaces US,DE`). */
  code: string;
  /** SP-API marketplace ID. */
  marketplaceId: string;
  region: Region;
  /** Main language of its seller emails. */
  language: string;
  /** Time zone Seller Central shows dates in for this marketplace. */
  timeZone: string;
  /** Domains a genuine notification's From address may use (exact or subdomain). */
  senderDomains: string[];
  sellerCentral: string;
  email: {
    /** Local parts of the sender of a Sold, Ship Now notification. */
    senderMailboxes: string[];
    /** Sold subject forms, strongest evidence first. Every marketplace also accepts SHARED_SOLD_SUBJECTS. */
    soldSubjects: SoldSubject[];
    /** Labels that precede the order ID in the body, e.g. `Bestellnummer:`. */
    orderIdLabels: string[];
    /** Labels that precede the ship-by date in the body, e.g. `Ship by:`. */
    shipByLabels: string[];
    /** How numeric dates are written (`Ship by: 30/11/2026` in amazon.in). */
    dateOrder: DateOrder;
    emailEvidence: EmailEvidence;
  };
  autoCancel: AutoCancelRule[];
}

const THIRTY_DAYS: AutoCancelRule = {
  kind: 'days-after-order',
  days: 30,
  source: 'Seller Central help 200495750: not confirmed within 30 days of the order date',
};
const SEVEN_BUSINESS_DAYS: AutoCancelRule = {
  kind: 'business-days-after-latest-ship',
  days: 7,
  source: 'current US/EU policy: cancelled 7 business days after the latest ship date',
};
const UK_SEVEN_BUSINESS_DAYS: AutoCancelRule = {
  kind: 'business-days-after-latest-ship',
  days: 7,
  source: 'Seller Central UK help: cancelled 7 business days after the shipping availability date',
};
const BR_SEVEN_BUSINESS_DAYS: AutoCancelRule = {
  kind: 'business-days-after-latest-ship',
  days: 7,
  source: 'Seller Central BR help: cancelled 7 business days after the latest ship date',
};
const SA_THREE_DAYS: AutoCancelRule = {
  kind: 'days-after-latest-ship',
  days: 3,
  source: 'Seller Central SA help: cancelled 3 days after the promised or estimated ship date (a cancellation fee may apply)',
};

// Sold subject prefixes. `[,，!]?` and the optional dash cover the punctuation variants seen.
const SOLD = {
  shipNow: { prefix: 'sold[,!]?\\s*(?:-\\s*)?ship\\s+now\\s*:', language: 'en' },
  dispatchNow: { prefix: 'sold[,!]?\\s*(?:-\\s*)?dispatch\\s+now\\s*:', language: 'en' },
  de: { prefix: 'artikel\\s+verkauft\\s*[-–]\\s*bitte\\s+jetzt\\s+(?:verschicken|versenden)\\s*:', language: 'de' },
  deShort: { prefix: 'verkauft[,!]?\\s*(?:-\\s*)?jetzt\\s+(?:versenden|verschicken)\\s*:', language: 'de' },
  fr: { prefix: 'vendu[,!]?\\s*(?:-\\s*)?exp[ée]diez\\s+(?:maintenant|d[èe]s\\s+maintenant)\\s*:', language: 'fr' },
  frCommande: { prefix: 'commande\\s+[àa]\\s+exp[ée]dier\\s*:', language: 'fr' },
  it: { prefix: 'venduto[,!]?\\s*(?:-\\s*)?(?:spedizione\\s+immediata|spedisci\\s+(?:ora|subito|adesso))\\s*:', language: 'it' },
  es: { prefix: 'vendido[,!]?\\s*(?:-\\s*)?(?:env[ií]a(?:lo)?|enviar)\\s+(?:ahora|ya)\\s*:', language: 'es' },
  pt: { prefix: 'vendido[,!]?\\s*(?:-\\s*)?envie\\s+agora\\s*:', language: 'pt' },
  nl: { prefix: 'verkocht[,!]?\\s*(?:-\\s*)?nu\\s+verzenden\\s*:', language: 'nl' },
  // 注文確定 followed by its colon: `注文確定後のキャンセル` (a cancellation notice) is not it.
  ja: { prefix: '注文確定\\s*:', language: 'ja' },
  tr: { prefix: 'sat[ıi]ld[ıi][,!]?\\s*(?:-\\s*)?(?:[şs]imdi|hemen)\\s+g[öo]nder(?:in)?\\s*:', language: 'tr' },
  pl: { prefix: 'sprzedano[,!]?\\s*(?:-\\s*)?wy[śs]lij\\s+(?:teraz|ju[żz])\\s*:', language: 'pl' },
  sv: { prefix: 's[åa]ld[,!]?\\s*(?:-\\s*)?skicka\\s+nu\\s*:', language: 'sv' },
  ar: { prefix: 'تم\\s*البيع\\s*[،,]?\\s*(?:-\\s*)?(?:اشحن|قم\\s+بالشحن)\\s+الآن\\s*:', language: 'ar' },
} as const;

function subjects(...forms: Array<[form: { prefix: string; language: string }, evidence: EmailEvidence]>): SoldSubject[] {
  return forms.map(([f, evidence]) => ({ prefix: f.prefix, language: f.language, evidence }));
}

/**
 * Accepted from every marketplace, whatever its own language: a seller who uses Seller Central in
 * Chinese gets the notification Amazon's Chinese help calls 已售出，即将发运 (name only: unverified
 * as a subject), and sellers who read Seller Central in English get English mail from any store.
 */
export const SHARED_SOLD_SUBJECTS: readonly SoldSubject[] = [
  { prefix: SOLD.shipNow.prefix, language: 'en', evidence: 'real-2026' },
  { prefix: SOLD.dispatchNow.prefix, language: 'en', evidence: 'parser' },
  { prefix: '已售出\\s*[,，]?\\s*(?:请|請)?(?:即将|立即|马上)?(?:发运|发货|發貨)\\s*:', language: 'zh', evidence: 'amazon-doc' },
];

const SENDER = ['seller-notification'];

const EN = {
  orderIdLabels: ['Order ID:', 'Order #', 'Order Number:'],
  shipByLabels: ['Ship by:', 'Dispatch by:', 'Ship by'],
};

export const MARKETPLACES: readonly Marketplace[] = [
  {
    key: 'amazon.com',
    code: 'US',
    marketplaceId: 'ATVPDKIKX0DER',
    region: 'NA',
    language: 'en',
    timeZone: 'America/Los_Angeles',
    senderDomains: ['amazon.com'],
    sellerCentral: 'https://sellercentral.amazon.com',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'parser']), ...EN, dateOrder: 'MDY', emailEvidence: 'parser' },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.ca',
    code: 'CA',
    marketplaceId: 'A2EUQ1WTGCTBG2',
    region: 'NA',
    language: 'en',
    timeZone: 'America/Los_Angeles',
    senderDomains: ['amazon.ca'],
    sellerCentral: 'https://sellercentral.amazon.ca',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'unverified']), ...EN, dateOrder: 'MDY', emailEvidence: 'unverified' },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.com.mx',
    code: 'MX',
    marketplaceId: 'A1AM78C64UM0Y8',
    region: 'NA',
    language: 'es',
    timeZone: 'America/Mexico_City',
    senderDomains: ['amazon.com.mx'],
    sellerCentral: 'https://sellercentral.amazon.com.mx',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.es, 'unverified']),
      orderIdLabels: ['ID del pedido:', 'N.º de pedido:', 'Número de pedido:'],
      shipByLabels: ['Enviar antes del:', 'Enviar antes de:', 'Fecha límite de envío:'],
      dateOrder: 'DMY',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.com.br',
    code: 'BR',
    marketplaceId: 'A2Q3Y263D00KWC',
    region: 'NA',
    language: 'pt',
    timeZone: 'America/Sao_Paulo',
    senderDomains: ['amazon.com.br'],
    sellerCentral: 'https://sellercentral.amazon.com.br',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.pt, 'unverified']),
      orderIdLabels: ['ID do pedido:', 'Número do pedido:'],
      shipByLabels: ['Enviar até:', 'Data limite de envio:'],
      dateOrder: 'DMY',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS, BR_SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.co.uk',
    code: 'UK',
    marketplaceId: 'A1F83G8C2ARO7P',
    region: 'EU',
    language: 'en',
    timeZone: 'Europe/London',
    senderDomains: ['amazon.co.uk'],
    sellerCentral: 'https://sellercentral.amazon.co.uk',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.dispatchNow, 'parser']), orderIdLabels: ['Order ID:'], shipByLabels: EN.shipByLabels, dateOrder: 'DMY', emailEvidence: 'parser' },
    autoCancel: [THIRTY_DAYS, UK_SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.ie',
    code: 'IE',
    marketplaceId: 'A28R8C7NBKEWEA',
    region: 'EU',
    language: 'en',
    timeZone: 'Europe/Dublin',
    senderDomains: ['amazon.ie'],
    sellerCentral: 'https://sellercentral.amazon.ie',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.dispatchNow, 'unverified'], [SOLD.shipNow, 'unverified']), ...EN, dateOrder: 'DMY', emailEvidence: 'unverified' },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.de',
    code: 'DE',
    marketplaceId: 'A1PA6795UKMFR9',
    region: 'EU',
    language: 'de',
    timeZone: 'Europe/Berlin',
    senderDomains: ['amazon.de'],
    sellerCentral: 'https://sellercentral.amazon.de',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.de, 'parser'], [SOLD.deShort, 'fixture']),
      orderIdLabels: ['Bestellnummer:', 'Bestell-Nr.:'],
      shipByLabels: ['Versand bis:', 'Versanddatum spätestens:'],
      dateOrder: 'DMY',
      emailEvidence: 'parser',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.fr',
    code: 'FR',
    marketplaceId: 'A13V1IB3VIYZZH',
    region: 'EU',
    language: 'fr',
    timeZone: 'Europe/Paris',
    senderDomains: ['amazon.fr'],
    sellerCentral: 'https://sellercentral.amazon.fr',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.fr, 'unverified'], [SOLD.frCommande, 'parser']),
      orderIdLabels: ['Commande n° :', 'Commande n°:', 'Numéro de commande :'],
      shipByLabels: ['Expédier avant le :', "Date limite d'expédition :"],
      dateOrder: 'DMY',
      emailEvidence: 'parser',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.com.be',
    code: 'BE',
    marketplaceId: 'AMEN7PMS3EDWL',
    region: 'EU',
    language: 'fr',
    timeZone: 'Europe/Brussels',
    senderDomains: ['amazon.com.be'],
    sellerCentral: 'https://sellercentral.amazon.com.be',
    email: {
      senderMailboxes: SENDER,
      // Belgium's store is French and Dutch.
      soldSubjects: subjects([SOLD.fr, 'unverified'], [SOLD.frCommande, 'unverified'], [SOLD.nl, 'unverified']),
      orderIdLabels: ['Commande n° :', 'Commande n°:', 'Numéro de commande :', 'Bestelnummer:'],
      shipByLabels: ['Expédier avant le :', 'Verzenden vóór:', 'Verzenden voor:'],
      dateOrder: 'DMY',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.it',
    code: 'IT',
    marketplaceId: 'APJ6JRA9NG5V4',
    region: 'EU',
    language: 'it',
    timeZone: 'Europe/Rome',
    senderDomains: ['amazon.it'],
    sellerCentral: 'https://sellercentral.amazon.it',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.it, 'amazon-doc']),
      orderIdLabels: ['Numero ordine:', 'ID ordine:'],
      shipByLabels: ['Spedire entro:', 'Data di spedizione entro:'],
      dateOrder: 'DMY',
      emailEvidence: 'amazon-doc',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.es',
    code: 'ES',
    marketplaceId: 'A1RKKUPIHCS9HS',
    region: 'EU',
    language: 'es',
    timeZone: 'Europe/Madrid',
    senderDomains: ['amazon.es'],
    sellerCentral: 'https://sellercentral.amazon.es',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.es, 'unverified']),
      orderIdLabels: ['N.º de pedido:', 'Número de pedido:', 'ID del pedido:'],
      shipByLabels: ['Enviar antes del:', 'Enviar antes de:', 'Fecha límite de envío:'],
      dateOrder: 'DMY',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.nl',
    code: 'NL',
    marketplaceId: 'A1805IZSGTT6HS',
    region: 'EU',
    language: 'nl',
    timeZone: 'Europe/Amsterdam',
    senderDomains: ['amazon.nl'],
    sellerCentral: 'https://sellercentral.amazon.nl',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.nl, 'unverified']),
      orderIdLabels: ['Bestelnummer:'],
      shipByLabels: ['Verzenden vóór:', 'Verzenden voor:'],
      dateOrder: 'DMY',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.pl',
    code: 'PL',
    marketplaceId: 'A1C3SOZRARQ6R3',
    region: 'EU',
    language: 'pl',
    timeZone: 'Europe/Warsaw',
    senderDomains: ['amazon.pl'],
    sellerCentral: 'https://sellercentral.amazon.pl',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.pl, 'unverified']),
      orderIdLabels: ['Numer zamówienia:', 'Identyfikator zamówienia:'],
      shipByLabels: ['Wyślij do:', 'Termin wysyłki:'],
      dateOrder: 'DMY',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.se',
    code: 'SE',
    marketplaceId: 'A2NODRKZP88ZB9',
    region: 'EU',
    language: 'sv',
    timeZone: 'Europe/Stockholm',
    senderDomains: ['amazon.se'],
    sellerCentral: 'https://sellercentral.amazon.se',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.sv, 'unverified']),
      orderIdLabels: ['Beställnings-ID:', 'Ordernummer:'],
      shipByLabels: ['Skicka senast:', 'Leverera senast:'],
      // Swedish dates are year first (2026-11-30).
      dateOrder: 'YMD',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
  },
  {
    key: 'amazon.com.tr',
    code: 'TR',
    marketplaceId: 'A33AVAJ2PDY3EV',
    region: 'EU',
    language: 'tr',
    timeZone: 'Europe/Istanbul',
    senderDomains: ['amazon.com.tr'],
    sellerCentral: 'https://sellercentral.amazon.com.tr',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.tr, 'unverified']),
      orderIdLabels: ['Sipariş numarası:', 'Sipariş No:'],
      shipByLabels: ['Son gönderim tarihi:', 'Gönderim tarihi:'],
      dateOrder: 'DMY',
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.ae',
    code: 'AE',
    marketplaceId: 'A2VIGQ35RCS4UG',
    region: 'EU',
    language: 'en',
    timeZone: 'Asia/Dubai',
    senderDomains: ['amazon.ae'],
    sellerCentral: 'https://sellercentral.amazon.ae',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'unverified'], [SOLD.ar, 'unverified']), orderIdLabels: [...EN.orderIdLabels, 'رقم الطلب:'], shipByLabels: [...EN.shipByLabels, 'الشحن بحلول:'], dateOrder: 'DMY', emailEvidence: 'unverified' },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.sa',
    code: 'SA',
    marketplaceId: 'A17E79C6D8DWNP',
    region: 'EU',
    language: 'en',
    timeZone: 'Asia/Riyadh',
    senderDomains: ['amazon.sa'],
    sellerCentral: 'https://sellercentral.amazon.sa',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'unverified'], [SOLD.ar, 'unverified']), orderIdLabels: [...EN.orderIdLabels, 'رقم الطلب:'], shipByLabels: [...EN.shipByLabels, 'الشحن بحلول:'], dateOrder: 'DMY', emailEvidence: 'unverified' },
    autoCancel: [THIRTY_DAYS, SA_THREE_DAYS],
  },
  {
    key: 'amazon.eg',
    code: 'EG',
    marketplaceId: 'ARBP9OOSHTCHU',
    region: 'EU',
    language: 'en',
    timeZone: 'Africa/Cairo',
    senderDomains: ['amazon.eg'],
    sellerCentral: 'https://sellercentral.amazon.eg',
    // A public parser of real EG mail reads the English HTML labels (Order ID:, Ship by:).
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'parser'], [SOLD.ar, 'unverified']), orderIdLabels: [...EN.orderIdLabels, 'رقم الطلب:'], shipByLabels: [...EN.shipByLabels, 'الشحن بحلول:'], dateOrder: 'DMY', emailEvidence: 'parser' },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.in',
    code: 'IN',
    marketplaceId: 'A21TJRUUN4KGV',
    region: 'EU',
    language: 'en',
    timeZone: 'Asia/Kolkata',
    senderDomains: ['amazon.in'],
    sellerCentral: 'https://sellercentral.amazon.in',
    // The structure of a real 2026 message: seller-notification@amazon.in, "Sold, ship now: <SKU>
    // <title>", labelled fields, `Ship by: DD/MM/YYYY`, links with nt=SOLD_SHIP_NOW.
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'real-2026']), ...EN, dateOrder: 'DMY', emailEvidence: 'real-2026' },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.co.jp',
    code: 'JP',
    marketplaceId: 'A1VC38T7YXB528',
    region: 'FE',
    language: 'ja',
    timeZone: 'Asia/Tokyo',
    senderDomains: ['amazon.co.jp'],
    sellerCentral: 'https://sellercentral.amazon.co.jp',
    email: {
      senderMailboxes: SENDER,
      soldSubjects: subjects([SOLD.ja, 'parser']),
      orderIdLabels: ['注文番号:', '注文番号：', 'オーダーID:', 'オーダーID：'],
      shipByLabels: ['出荷期限:', '出荷期限：', '出荷予定日:', '出荷予定日：'],
      dateOrder: 'YMD',
      emailEvidence: 'parser',
    },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.sg',
    code: 'SG',
    marketplaceId: 'A19VAU5U5O7RUS',
    region: 'FE',
    language: 'en',
    timeZone: 'Asia/Singapore',
    senderDomains: ['amazon.sg'],
    sellerCentral: 'https://sellercentral.amazon.sg',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'unverified']), ...EN, dateOrder: 'DMY', emailEvidence: 'unverified' },
    autoCancel: [THIRTY_DAYS],
  },
  {
    key: 'amazon.com.au',
    code: 'AU',
    marketplaceId: 'A39IBJ37TRP1C6',
    region: 'FE',
    language: 'en',
    timeZone: 'Australia/Sydney',
    senderDomains: ['amazon.com.au'],
    sellerCentral: 'https://sellercentral.amazon.com.au',
    email: { senderMailboxes: SENDER, soldSubjects: subjects([SOLD.shipNow, 'unverified']), ...EN, dateOrder: 'DMY', emailEvidence: 'unverified' },
    autoCancel: [THIRTY_DAYS],
  },
];

const BY_KEY = new Map(MARKETPLACES.map((m) => [m.key, m]));
const BY_CODE = new Map(MARKETPLACES.map((m) => [m.code, m]));
const BY_ID = new Map(MARKETPLACES.map((m) => [m.marketplaceId, m]));

export function marketplaceByKey(key: string): Marketplace | undefined {
  return BY_KEY.get(key.toLowerCase());
}

/** Accepts a code (`DE`, also `GB` for the UK) or a key (`amazon.de`). */
export function marketplaceByCode(code: string): Marketplace | undefined {
  const c = code.trim().toUpperCase();
  return BY_CODE.get(c === 'GB' ? 'UK' : c) ?? BY_KEY.get(code.trim().toLowerCase());
}

export function marketplaceById(marketplaceId: string): Marketplace | undefined {
  return BY_ID.get(marketplaceId);
}

/**
 * The marketplace whose sender domains cover `domain` (exact or subdomain:
 * `marketplace.amazon.de` -> amazon.de). Never matches lookalikes such as `amazon.de.example.com`
 * or `amazon-de.com`: the sender domain must be a suffix on a label boundary.
 */
export function marketplaceBySenderDomain(domain: string): Marketplace | undefined {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  let best: Marketplace | undefined;
  let bestLen = 0;
  for (const m of MARKETPLACES) {
    for (const s of m.senderDomains) {
      if ((d === s || d.endsWith(`.${s}`)) && s.length > bestLen) {
        best = m;
        bestLen = s.length;
      }
    }
  }
  return best;
}

/**
 * Buyer messages relayed by Amazon come from `<random>@marketplace.amazon.<tld>`: the buyer wrote
 * the text, so nothing in such a message is ever a notification, whatever it says.
 */
export function isBuyerRelayDomain(domain: string): boolean {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  const m = marketplaceBySenderDomain(d);
  if (!m) return false;
  return m.senderDomains.some((s) => d === `marketplace.${s}` || d.endsWith(`.marketplace.${s}`));
}

/** Link to an order's page in the marketplace's Seller Central. */
export function sellerCentralOrderUrl(m: Marketplace, orderId: string): string {
  return `${m.sellerCentral}/orders-v3/order/${encodeURIComponent(orderId)}`;
}
