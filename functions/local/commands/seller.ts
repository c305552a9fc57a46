/**
 * `shipnow seller add --id ID --name NAME --marketplaces US,DE,... [--alert-email A,B]
 *                    [--language zh-CN|en] [--timezone Asia/Shanghai] [--inbound-domain D]
 *                    [--alias ALIAS]`
 * `shipnow seller list [--json]`
 * plus the store flags (see ./store.ts): `--data DIR` | `--table NAME [--endpoint URL] [--region R]`.
 *
 * `add` creates the seller with a new unguessable inbound alias (or `--alias`, e.g. the one a
 * seller already gave Seller Central; checked by `validateInboundAlias`) and prints the address to add in
 * Seller Central, with the steps per marketplace, in English and Chinese. Exit 0 on success,
 * 2 on bad input (unknown marketplace, bad time zone, a seller that already exists).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AliasTakenError } from '../../adapters/dynamodb-repository';
import { generateAlias, inboundAddress, InvalidAliasError, validateInboundAlias } from '../../domain/inbound';
import { marketplaceByCode, marketplaceByKey, type Marketplace } from '../../domain/marketplaces';
import type { Seller } from '../../domain/types';
import { EXIT, PLACEHOLDER_NOTE, STORE_FLAGS, UsageError, inboundDomainConfigured, openStore, requireInboundDomain, type Io, exitOnBadInput } from './store';

export interface SellerCommandOptions {
  /** Random source for aliases (tests pass a fixed one). */
  randomBytes?: (n: number) => Uint8Array;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** stdout is a terminal: `list` prints a header line (default: process.stdout.isTTY). */
  tty?: boolean;
}

export async function sellerCommand(args: string[], io: Io, opts: SellerCommandOptions = {}): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'add':
        return await sellerAdd(rest, io, opts);
      case 'list':
        return await sellerList(rest, io, opts);
      default:
        throw new UsageError(sub ? `unknown seller command '${sub}' (add, list)` : 'seller needs a command: add, list');
    }
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}

function parse<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const SELLER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

async function sellerAdd(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse(args, {
    id: { type: 'string' },
    name: { type: 'string' },
    marketplaces: { type: 'string' },
    'alert-email': { type: 'string', multiple: true },
    language: { type: 'string' },
    timezone: { type: 'string' },
    'inbound-domain': { type: 'string' },
    alias: { type: 'string' },
    ...STORE_FLAGS,
  });
  const id = values.id;
  let chosenAlias: string | undefined;
  if (values.alias !== undefined) {
    try {
      chosenAlias = validateInboundAlias(values.alias);
    } catch (err) {
      if (err instanceof InvalidAliasError) throw new UsageError(`--alias '${values.alias}': ${err.problem}`);
      throw err;
    }
  }
  if (!id) throw new UsageError('seller add needs --id ID');
  if (!SELLER_ID.test(id)) throw new UsageError(`--id '${id}': letters, digits, '.', '_' and '-' only (max 64)`);
  const name = values.name?.trim();
  if (!name) throw new UsageError('seller add needs --name NAME');
  if (!values.marketplaces) throw new UsageError('seller add needs --marketplaces US,DE,...');
  const marketplaces = parseMarketplaces(values.marketplaces);
  const alertEmails = (values['alert-email'] ?? []).flatMap((v) => v.split(',')).map((e) => e.trim()).filter(Boolean);
  for (const e of alertEmails) if (!EMAIL.test(e)) throw new UsageError(`--alert-email '${e}' is not an email address`);
  const language = values.language;
  if (language !== undefined && language !== 'zh-CN' && language !== 'en') {
    throw new UsageError(`--language must be zh-CN or en (got '${language}')`);
  }
  const timeZone = values.timezone;
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new UsageError(`--timezone '${timeZone}' is not an IANA time zone`);
  const env = opts.env ?? process.env;
  const domain = requireInboundDomain(values, values['inbound-domain'], env, 'seller add');
  const placeholder = !inboundDomainConfigured(values['inbound-domain'], env);
  const random = opts.randomBytes ?? ((n: number) => randomBytes(n));
  const now = (opts.now ?? (() => new Date()))().toISOString();

  const store = await openStore(values, env);
  try {
    if (await store.repo.getSeller(id)) {
      const existing = await store.repo.getSeller(id);
      io.err(`shipnow: seller '${id}' already exists${existing?.inboundAlias ? ` (address ${inboundAddress(existing.inboundAlias, domain)})` : ''}`);
      return EXIT.BAD_INPUT;
    }
    let seller: Seller | undefined;
    for (let attempt = 0; attempt < 5 && !seller; attempt++) {
      const candidate: Seller = {
        sellerId: id,
        name,
        marketplaces: marketplaces.map((m) => m.key),
        inboundAlias: chosenAlias ?? generateAlias(random),
        ...(alertEmails.length > 0 ? { alertEmails } : {}),
        ...(language ? { language } : {}),
        ...(timeZone ? { timeZone } : {}),
        createdAt: now,
      };
      try {
        if ((await store.repo.putSeller(candidate)) === 'exists') {
          io.err(`shipnow: seller '${id}' already exists`);
          return EXIT.BAD_INPUT;
        }
        seller = candidate;
      } catch (err) {
        if (!(err instanceof AliasTakenError)) throw err; // 80 random bits: practically never
        if (chosenAlias !== undefined) throw new UsageError(`--alias '${chosenAlias}' is already used by another seller`);
      }
    }
    if (!seller?.inboundAlias) throw new Error('could not allocate a free inbound alias');
    io.out(setupInstructions(seller, inboundAddress(seller.inboundAlias, domain), marketplaces, placeholder ? PLACEHOLDER_NOTE : undefined));
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function sellerList(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean', default: false }, 'inbound-domain': { type: 'string' }, ...STORE_FLAGS });
  const env = opts.env ?? process.env;
  const domain = requireInboundDomain(values, values['inbound-domain'], env, 'seller list');
  const placeholder = !inboundDomainConfigured(values['inbound-domain'], env);
  const store = await openStore(values, env);
  try {
    const sellers = (await store.repo.listSellers()).sort((a, b) => a.sellerId.localeCompare(b.sellerId));
    const rows = sellers.map((s) => ({
      sellerId: s.sellerId,
      name: s.name,
      marketplaces: s.marketplaces,
      address: s.inboundAlias ? inboundAddress(s.inboundAlias, domain) : null,
      language: s.language ?? null,
      timeZone: s.timeZone ?? null,
      alertEmails: s.alertEmails ?? [],
      createdAt: s.createdAt,
    }));
    if (placeholder && rows.some((r) => r.address)) io.err(`shipnow: note: the addresses use the ${PLACEHOLDER_NOTE}`);
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return EXIT.OK;
    }
    if (rows.length === 0) {
      io.out(`no sellers (${store.describe}); add one with: shipnow seller add --id ID --name NAME --marketplaces US,DE`);
      return EXIT.OK;
    }
    // The tab-separated rows are read by scripts: the header only for a human at a terminal.
    if (opts.tty ?? process.stdout.isTTY === true) io.out('SELLER_ID\tNAME\tMARKETPLACES\tINBOUND_ADDRESS');
    for (const r of rows) {
      const codes = r.marketplaces.map((k) => marketplaceByKey(k)?.code ?? k).join(',');
      io.out(`${r.sellerId}\t${r.name}\t${codes}\t${r.address ?? '-'}`);
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

function parseMarketplaces(list: string): Marketplace[] {
  const out: Marketplace[] = [];
  for (const code of list.split(',').map((c) => c.trim()).filter(Boolean)) {
    const m = marketplaceByCode(code);
    if (!m) throw new UsageError(`--marketplaces: unknown marketplace '${code}' (e.g. US, CA, MX, UK, DE, FR, IT, ES, NL, JP, AU)`);
    if (!out.includes(m)) out.push(m);
  }
  if (out.length === 0) throw new UsageError('--marketplaces needs at least one marketplace code');
  return out;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** What the seller must do in Seller Central, per marketplace, in English and Chinese. */
export function setupInstructions(seller: Seller, address: string, marketplaces: readonly Marketplace[], note?: string): string {
  const lines: string[] = [];
  lines.push(`Seller ${seller.sellerId} (${seller.name}) created.`);
  lines.push(`已创建卖家 ${seller.sellerId}（${seller.name}）。`);
  lines.push('');
  lines.push(`Inbound address / 接收地址:  ${address}`);
  if (note) lines.push(`  NOTE: ${note}.`);
  lines.push('');
  lines.push('English: add this address to the "Sold, ship now" notification in every marketplace:');
  lines.push('  1. Sign in to Seller Central for the marketplace (links below).');
  lines.push('  2. Settings (gear icon) > Notification Preferences > Order Notifications.');
  lines.push('  3. Next to "Sold, ship now" (UK: "Sold, dispatch now"), click Edit.');
  lines.push(`  4. Add ${address} as an email address (keep your own address too) and click Save.`);
  lines.push('  5. Or: forward the Sold, Ship Now emails from your mailbox to this address automatically.');
  lines.push('  Notification Preferences are set per marketplace: repeat for each one.');
  lines.push('');
  lines.push('中文：请在每个站点的「已售出，请发货」(Sold, ship now) 通知中添加此地址：');
  lines.push('  1. 登录该站点的卖家平台 Seller Central（链接见下）。');
  lines.push('  2. 设置（齿轮图标）> 通知首选项 (Notification Preferences) > 订单通知 (Order Notifications)。');
  lines.push('  3. 在「Sold, ship now / 已售出，请发货」（英国站为 "Sold, dispatch now"）旁点击「编辑」(Edit)。');
  lines.push(`  4. 添加邮箱地址 ${address}（可保留您自己的邮箱），然后点击「保存」(Save)。`);
  lines.push('  5. 也可以在您的邮箱中设置自动转发，将 Sold, Ship Now 邮件转发到此地址。');
  lines.push('  通知首选项按站点分别设置：每个站点都需要重复以上步骤。');
  lines.push('');
  lines.push('Marketplaces / 站点:');
  for (const m of marketplaces) {
    lines.push(`  ${m.code.padEnd(3)} ${m.key.padEnd(14)} ${m.sellerCentral}/notifications/preferences`);
  }
  return lines.join('\n');
}
