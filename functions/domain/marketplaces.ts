/**
 * The marketplace table: data, not code. Adding a marketplace means adding one entry here.
 *
 * Evidence for the email fields is second-hand (Amazon help pages, open-source parsers of these
 * emails); `emailEvidence` records how sure we are, because no verbatim Sold, Ship Now email is public.
 * Subject patterns are regular-expression sources matched case-insensitively against the decoded
 * subject; body markers are phrases or labels that only a Sold, Ship Now email carries.
 */

export type Region = 'NA' | 'EU' | 'FE';

/** A rule that cancels an unconfirmed order automatically. The earliest applicable one wins. */
export type AutoCancelRule =
  | { kind: 'days-after-order'; days: number; source: string }
  | { kind: 'business-days-after-latest-ship'; days: number; source: string };

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
    subjectPatterns: string[];
    /** Labels that precede the order ID in the body, e.g. `Bestellnummer:`. */
    orderIdLabels: string[];
    /** Phrases only found in a Sold, Ship Now email (body). Used when the subject is inconclusive. */
    bodyMarkers: string[];
    emailEvidence: 'parser' | 'amazon-doc' | 'fixture' | 'unverified';
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

const EN_US = {
  subjectPatterns: ['^\\s*sold[,!]?\\s*(-\\s*)?ship\\s+now\\b'],
  orderIdLabels: ['Order ID:', 'Order #', 'Order Number:'],
  bodyMarkers: ['Please ship this order', 'Please ship this product', 'Ship by:'],
  emailEvidence: 'parser' as const,
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
    email: EN_US,
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
    email: { ...EN_US, emailEvidence: 'unverified' },
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
      subjectPatterns: ['^\\s*vendido[,!]?\\s*(-\\s*)?(env[ií]a(lo)?|enviar)\\s+(ahora|ya)\\b'],
      orderIdLabels: ['ID del pedido:', 'N.º de pedido:', 'Número de pedido:'],
      bodyMarkers: ['Envía este pedido', 'Enviar antes del'],
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
      subjectPatterns: ['^\\s*vendido[,!]?\\s*(-\\s*)?envie\\s+agora\\b'],
      orderIdLabels: ['ID do pedido:', 'Número do pedido:'],
      bodyMarkers: ['Envie este pedido'],
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS],
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
    email: {
      subjectPatterns: ['^\\s*sold[,!]?\\s*(-\\s*)?dispatch\\s+now\\b'],
      orderIdLabels: ['Order ID:'],
      bodyMarkers: ['Please dispatch this order', 'Dispatch by:'],
      emailEvidence: 'parser',
    },
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
      subjectPatterns: [
        'artikel\\s+verkauft\\s*[-–]\\s*bitte\\s+jetzt\\s+(verschicken|versenden)',
        '^\\s*verkauft[,!]?\\s*(-\\s*)?jetzt\\s+(versenden|verschicken)\\b',
      ],
      orderIdLabels: ['Bestellnummer:', 'Bestell-Nr.:'],
      bodyMarkers: ['Bitte verschicken Sie', 'Versand bis:', 'Verkauft am:'],
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
      subjectPatterns: ['^\\s*vendu[,!]?\\s*(-\\s*)?exp[ée]diez\\s+(maintenant|d[èe]s\\s+maintenant)\\b', '^\\s*commande\\s+[àa]\\s+exp[ée]dier\\b'],
      orderIdLabels: ['Commande n° :', 'Commande n°:', 'Numéro de commande :'],
      bodyMarkers: ['Date de la vente :', 'Montant total dû au vendeur'],
      emailEvidence: 'parser',
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
      subjectPatterns: ['^\\s*venduto[,!]?\\s*(-\\s*)?(spedizione\\s+immediata|spedisci\\s+(ora|subito|adesso))\\b'],
      orderIdLabels: ['Numero ordine:', 'ID ordine:'],
      bodyMarkers: ['Spedisci questo ordine', 'Data di vendita:'],
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
      subjectPatterns: ['^\\s*vendido[,!]?\\s*(-\\s*)?(env[ií]a(lo)?|enviar)\\s+(ahora|ya)\\b'],
      orderIdLabels: ['N.º de pedido:', 'Número de pedido:', 'ID del pedido:'],
      bodyMarkers: ['Envía este pedido', 'Fecha de venta:'],
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
      subjectPatterns: ['^\\s*verkocht[,!]?\\s*(-\\s*)?nu\\s+verzenden\\b'],
      orderIdLabels: ['Bestelnummer:'],
      bodyMarkers: ['Verzend deze bestelling'],
      emailEvidence: 'unverified',
    },
    autoCancel: [THIRTY_DAYS, SEVEN_BUSINESS_DAYS],
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
      subjectPatterns: ['注文確定'],
      orderIdLabels: ['注文番号:', '注文番号：', 'オーダーID:', 'オーダーID：'],
      bodyMarkers: ['出荷してください', '購入済み、注文確定', '出荷期限'],
      emailEvidence: 'parser',
    },
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
    email: { ...EN_US, emailEvidence: 'unverified' },
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

/** Link to an order's page in the marketplace's Seller Central. */
export function sellerCentralOrderUrl(m: Marketplace, orderId: string): string {
  return `${m.sellerCentral}/orders-v3/order/${encodeURIComponent(orderId)}`;
}
