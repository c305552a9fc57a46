/**
 * Test data for the `check` benchmark: an Unshipped Orders report (tab-delimited, the columns
 * Seller Central writes) with `orders` orders of one seller on amazon.com, and one Sold, Ship Now
 * email (real MIME bytes, one `.eml` file each) for every `emailEvery`-th order.
 *
 * The mail looks like what SES stores for a genuine notification: Amazon's sender
 * `seller-notification@amazon.com`, a DKIM signature by d=amazon.com, and the receiver's verdict
 * `Authentication-Results: amazonses.com; spf=pass; dkim=pass header.i=@amazon.com;
 * dmarc=pass header.from=amazon.com` (DMARC aligned with the From domain, and a DKIM pass whose
 * d= is that same Amazon domain), subject `Sold, ship now: <SKU> <title>`, and a
 * quoted-printable text part and an HTML part with `Order ID:`, SKU, quantity and dates.
 *
 * Orders are spread over the three days before `now` (a few in the last hour, so some are still
 * awaiting their email); each email arrives two to nine minutes after its order's payment.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CheckData {
  reportFile: string;
  mailDir: string;
  orders: number;
  emails: number;
}

const REPORT_HEADER = [
  'order-id', 'order-item-id', 'purchase-date', 'payments-date', 'reporting-date', 'promise-date', 'days-past-promise',
  'buyer-email', 'buyer-phone-number', 'sku', 'product-name', 'quantity-purchased', 'quantity-shipped', 'quantity-to-ship',
  'ship-service-level', 'recipient-name', 'ship-address-1', 'ship-address-2', 'ship-address-3', 'ship-city', 'ship-state',
  'ship-postal-code', 'ship-country', 'is-business-order', 'purchase-order-number', 'price-designation', 'is-prime', 'sales-channel',
];

const PRODUCTS: ReadonlyArray<[sku: string, title: string, price: string]> = [
  ['MUG-CER-12OZ-BLU', 'Ceramic Coffee Mug, 12 oz, Blue', '14.99'],
  ['TEA-INF-SS-01', 'Stainless Steel Tea Infuser', '9.49'],
  ['KET-17-SS', 'Stainless Steel Electric Kettle – 1.7 L “Classic”', '39.99'],
  ['LAMP-LED-DESK-W', 'LED Desk Lamp, Dimmable, White', '27.50'],
  ['CABLE-USBC-2M', 'USB-C Cable, 2 m, Braided', '8.99'],
];

const CITIES: ReadonlyArray<[city: string, state: string, zip: string]> = [
  ['Seattle', 'WA', '98101'],
  ['Portland', 'OR', '97205'],
  ['Austin', 'TX', '78701'],
  ['Denver', 'CO', '80202'],
];

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `112-0000001-0000042`: a US order ID, unique per index. */
export function benchOrderId(i: number): string {
  const n = String(i).padStart(14, '0');
  return `112-${n.slice(0, 7)}-${n.slice(7)}`;
}

/** Purchase time of order `i`: spread over the 72 hours before `now`, every 97th in the last hour. */
function purchaseTime(i: number, now: number): number {
  if (i % 97 === 0) return now - (900 + ((i * 7919) % 2_400)) * 1000;
  return now - 3_600_000 - ((i * 104_729) % (71 * 3_600)) * 1000;
}

function rfc2822(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAY_NAMES[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function usDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

/** RFC 2045 quoted-printable of UTF-8 text, soft line breaks at 76 characters. */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let encoded = '';
    for (const byte of Buffer.from(line, 'utf8')) {
      const ch = String.fromCharCode(byte);
      encoded += byte === 0x3d || byte > 0x7e || (byte < 0x20 && byte !== 0x09) ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}` : ch;
    }
    if (/[ \t]$/.test(encoded)) encoded = encoded.slice(0, -1) + `=${encoded.charCodeAt(encoded.length - 1).toString(16).toUpperCase().padStart(2, '0')}`;
    let rest = encoded;
    while (rest.length > 76) {
      let cut = 75;
      // Never split an =XX escape.
      const eq = rest.lastIndexOf('=', cut);
      if (eq > cut - 3) cut = eq;
      out.push(`${rest.slice(0, cut)}=`);
      rest = rest.slice(cut);
    }
    out.push(rest);
  }
  return out.join('\r\n');
}

/** RFC 2047 encoded-word (Q) of a UTF-8 header value, split into words of at most 75 characters. */
function encodedWords(text: string): string {
  const words: string[] = [];
  let current = '';
  for (const ch of text) {
    const bytes = Buffer.from(ch, 'utf8');
    const enc = /^[A-Za-z0-9!*+\-/]$/.test(ch) ? ch : ch === ' ' ? '_' : [...bytes].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (current.length + enc.length > 75 - '=?UTF-8?Q??='.length) {
      words.push(current);
      current = '';
    }
    current += enc;
  }
  if (current) words.push(current);
  return words.map((w) => `=?UTF-8?Q?${w}?=`).join('\r\n ');
}

function hex(i: number, len: number): string {
  let h = '';
  let x = (i + 1) * 2_654_435_761;
  while (h.length < len) {
    x = (x * 1_103_515_245 + 12_345) % 4_294_967_296;
    h += x.toString(16).padStart(8, '0');
  }
  return h.slice(0, len);
}

/** One Sold, Ship Now email for order `i`, as SES stores it (CRLF line ends). */
export function soldShipNowEmail(i: number, now: number, opts: { recipient?: string; laterSeconds?: number } = {}): Buffer {
  const recipient = opts.recipient ?? 'seller.k7q2m9@in.shipnow.example';
  const orderId = benchOrderId(i);
  const [sku, title, price] = PRODUCTS[i % PRODUCTS.length];
  const purchased = purchaseTime(i, now);
  const sent = purchased + (120 + (i % 420) + (opts.laterSeconds ?? 0)) * 1000;
  const received = sent + 3000 + (i % 5) * 1000;
  const boundary = `----=_Part_${5_000_000 + i}_${hex(i, 10)}.${hex(i + 7, 6)}`;
  const ip = `203.0.113.${(i % 200) + 20}`;
  const host = `a27-${(i % 90) + 10}.smtp-out.us-west-2.amazonses.com`;
  const bounce = `${hex(i, 24)}@bounces.amazon.com`;
  const qty = 1 + (i % 3);
  const text = [
    'Dear Seller,',
    '',
    'You have sold an item on Amazon.com. Please ship this order using Standard shipping.',
    '',
    `Order ID: ${orderId}`,
    `Item: ${title}`,
    `SKU: ${sku}`,
    `Quantity: ${qty}`,
    'Please ship this order using: Standard',
    `Ship by: ${usDate(purchased + 2 * 86_400_000)}`,
    'Condition: New',
    `Order date: ${usDate(purchased)}`,
    `Price: $${price}`,
    'Shipping: $0.00',
    '',
    `View order details: https://sellercentral.amazon.com/orders-v3/order/${orderId}`,
    '',
    'Sincerely,',
    'Amazon Services',
    '',
  ].join('\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta http-equiv="Content-Type" content="text/html"><title>Amazon.com</title></head>',
    '<body>',
    '<p>Dear Seller,</p>',
    '<p>You have sold an item on Amazon.com. Please ship this order using Standard shipping.</p>',
    '<table cellpadding="2">',
    `<tr><td><b>Order ID:</b></td><td><a href="https://sellercentral.amazon.com/orders-v3/order/${orderId}">${orderId}</a></td></tr>`,
    `<tr><td><b>Item:</b></td><td>${title}</td></tr>`,
    `<tr><td><b>SKU:</b></td><td>${sku}</td></tr>`,
    `<tr><td><b>Quantity:</b></td><td>${qty}</td></tr>`,
    `<tr><td><b>Ship by:</b></td><td>${usDate(purchased + 2 * 86_400_000)}</td></tr>`,
    '</table>',
    '<p>Sincerely,<br>Amazon Services</p>',
    '</body></html>',
    '',
  ].join('\n');
  const spf = `spf=pass (spfCheck: domain of bounces.amazon.com designates ${ip} as permitted sender) client-ip=${ip}; envelope-from=${bounce}; helo=${host};`;
  const headers = [
    `Return-Path: <${bounce}>`,
    `Received: from ${host} (${host} [${ip}])`,
    ` by inbound-smtp.us-east-1.amazonaws.com with SMTP id ${hex(i + 3, 40)}`,
    ` for ${recipient};`,
    ` ${rfc2822(received)} (UTC)`,
    'X-SES-Spam-Verdict: PASS',
    'X-SES-Virus-Verdict: PASS',
    `Received-SPF: pass (spfCheck: domain of bounces.amazon.com designates ${ip} as permitted sender) client-ip=${ip}; envelope-from=${bounce}; helo=${host};`,
    'Authentication-Results: amazonses.com;',
    ` ${spf}`,
    ' dkim=pass header.i=@amazon.com;',
    ' dmarc=pass header.from=amazon.com;',
    `X-SES-RECEIPT: ${Buffer.from(hex(i + 11, 32), 'hex').toString('base64')}`,
    'DKIM-Signature: v=1; a=rsa-sha256; q=dns/txt; c=relaxed/simple;',
    `\ts=5bd682a1ee79; d=amazon.com; t=${Math.floor(sent / 1000)};`,
    '\th=Date:From:To:Message-ID:Subject:MIME-Version:Content-Type;',
    `\tbh=${Buffer.from(hex(i + 13, 64), 'hex').toString('base64')};`,
    `\tb=${Buffer.from(hex(i + 17, 64), 'hex').toString('base64')}`,
    `Date: ${rfc2822(sent)}`,
    'From: "Amazon Seller Notifications" <seller-notification@amazon.com>',
    `To: ${recipient}`,
    `Message-ID: <${hex(i + 19, 16)}-${hex(i + 23, 8)}-${hex(i + 29, 4)}-${hex(i + 31, 12)}-000000@us-west-2.amazonses.com>`,
    `Subject: ${encodedWords(`Sold, ship now: ${sku} ${title}`)}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative;',
    `\tboundary="${boundary}"`,
    `X-SES-Outgoing: ${new Date(sent).toISOString().slice(0, 10).replace(/-/g, '.')}-${ip}`,
    'Feedback-ID: 1.us-west-2.2k1XE1MyJz5os5hzlNrZimEXTwAGSkwh4GW32XrnVTw=:AmazonSES',
  ];
  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(body)].join('\r\n');
  return Buffer.from([...headers, '', part('text/plain', text), part('text/html', html), `--${boundary}--`, ''].join('\r\n'), 'utf8');
}

/** One report line per order (every 10th order has a second item, as multi-item orders do). */
function reportLines(i: number, now: number): string[] {
  const orderId = benchOrderId(i);
  const purchased = purchaseTime(i, now);
  const paid = i % 13 === 0 ? '' : isoSeconds(purchased + 60_000);
  const [city, state, zip] = CITIES[i % CITIES.length];
  const items = i % 10 === 0 ? 2 : 1;
  const lines: string[] = [];
  for (let k = 0; k < items; k++) {
    const [sku, title] = PRODUCTS[(i + k) % PRODUCTS.length];
    lines.push(
      [
        orderId, String(62_019_384_000_000 + i * 10 + k), isoSeconds(purchased), paid, isoSeconds(purchased + 1_800_000),
        isoSeconds(purchased + 3 * 86_400_000), '0', `${hex(i, 15)}@marketplace.amazon.com`, '+1 206-555-0147', sku, title,
        '1', '0', '1', 'Standard', 'Jordan A. Sample', `${1000 + (i % 8000)} Example Avenue`, '', '', city, state, zip, 'US',
        'false', '', '', i % 3 === 0 ? 'true' : 'false', 'Amazon.com',
      ].join('\t'),
    );
  }
  return lines;
}

/**
 * Write the report (`orders.txt`) and the mail folder (`mail/`, one `.eml` per emailed order) into
 * `dir`. Orders whose index is a multiple of `emailEvery` get an email (2: half of them).
 */
export async function writeCheckData(dir: string, opts: { orders: number; emailEvery?: number; now: string }): Promise<CheckData> {
  const now = Date.parse(opts.now);
  const every = opts.emailEvery ?? 2;
  const mailDir = join(dir, 'mail');
  await mkdir(mailDir, { recursive: true });
  const lines = [REPORT_HEADER.join('\t')];
  for (let i = 1; i <= opts.orders; i++) lines.push(...reportLines(i, now));
  const reportFile = join(dir, 'orders.txt');
  await writeFile(reportFile, lines.join('\r\n') + '\r\n');
  let emails = 0;
  const pending: Array<Promise<void>> = [];
  for (let i = 1; i <= opts.orders; i++) {
    if (i % every !== 0 && opts.orders > 1) continue;
    pending.push(writeFile(join(mailDir, `${benchOrderId(i)}.eml`), soldShipNowEmail(i, now)));
    emails++;
    if (pending.length >= 64) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return { reportFile, mailDir, orders: opts.orders, emails };
}
