/**
 * `shipnow seller add --id ID --name NAME --marketplaces US,DE,... [--alert-email A,B]
 *                    [--language zh-CN|en] [--timezone Asia/Shanghai] [--inbound-domain D]
 *                    [--alias ALIAS]`
 * `shipnow seller list [--json]`
 * `shipnow seller add --from FILE`, `seller update`, `seller remove`: ./seller-lifecycle.ts;
 * `shipnow seller channels set|list|remove|test`: ./seller-channels.ts;
 * plus the store flags (see ./store.ts): `--data DIR` | `--table NAME [--endpoint URL] [--region R]`.
 *
 * `add` creates the seller with a new unguessable inbound alias (or `--alias`, e.g. the one a
 * seller already gave Seller Central; checked by `validateInboundAlias`) and prints the address to add in
 * Seller Central, with the steps per marketplace, in English and Chinese. Exit 0 on success,
 * 2 on bad input (unknown marketplace, bad time zone, a seller that already exists).
 */
import { randomBytes } from 'node:crypto';
import { inboundAddress, InvalidAliasError, validateInboundAlias } from '../../domain/inbound';
import { marketplaceByKey, type Marketplace } from '../../domain/marketplaces';
import { checkSellerFields } from '../../domain/seller-input';
import type { Seller } from '../../domain/types';
import { ChosenAliasTakenError, createSellerWithAlias } from '../../services/manage-sellers';
import { helpTopic, parseFlags, printHelp, wantsHelp } from '../help';
import { sellerChannelsCommand } from './seller-channels';
import { sellerAddFrom, sellerRemove, sellerUpdate } from './seller-lifecycle';
import { notificationSteps, parse, SELLER_FIELD_FLAGS, type SellerCommandOptions } from './seller-common';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { inboundDomainConfigured, PLACEHOLDER_NOTE, requireInboundDomain } from '../inbound-domain';
import { openStore, STORE_FLAGS } from './store';


export async function sellerCommand(args: string[], io: Io, opts: SellerCommandOptions = {}): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || wantsHelp(args)) return printHelp(helpTopic('seller', sub === 'help' ? rest : args), io);
    switch (sub) {
      case 'add':
        return await sellerAdd(rest, io, opts);
      case 'list':
        return await sellerList(rest, io, opts);
      case 'update':
        return await sellerUpdate(rest, io, opts);
      case 'remove':
        return await sellerRemove(rest, io, opts);
      case 'channels':
        return await sellerChannelsCommand(rest, io, opts);
      default:
        throw new UsageError(
          sub
            ? `unknown seller command '${sub}' (add, list, update, remove, channels; see: shipnow seller --help)`
            : 'seller needs a command: add, list, update, remove, channels (see: shipnow seller --help)',
        );
    }
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}



async function sellerAdd(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  if (args.some((a) => a === '--from' || a.startsWith('--from='))) return sellerAddFrom(args, io, opts);
  const { values } = parse('seller add', args, {
    ...SELLER_FIELD_FLAGS,
    'inbound-domain': { type: 'string' },
    alias: { type: 'string' },
    ...STORE_FLAGS,
  });
  let chosenAlias: string | undefined;
  if (values.alias !== undefined) {
    try {
      chosenAlias = validateInboundAlias(values.alias);
    } catch (err) {
      if (err instanceof InvalidAliasError) throw new UsageError(`--alias '${values.alias}': ${err.problem}`);
      throw err;
    }
  }
  const checked = checkSellerFields(values, {
    label: (f) => `--${f}`,
    required: ['id', 'name', 'marketplaces'],
    missing: (f) => `seller add needs --${f} ${f === 'marketplaces' ? 'US,DE,...' : f.toUpperCase()}`,
  });
  if (checked.problems.length > 0) throw new UsageError(checked.problems.join('; '));
  const { sellerId: id, name, marketplaces, alertEmails, language, timeZone } = checked.changes;
  if (!id || !name || !marketplaces) throw new Error('checkSellerFields let a required field through');
  const env = opts.env ?? process.env;
  const domain = requireInboundDomain(values, values['inbound-domain'], env, 'seller add');
  const placeholder = !inboundDomainConfigured(values['inbound-domain'], env);
  const random = opts.randomBytes ?? ((n: number) => randomBytes(n));
  const now = (opts.now ?? (() => new Date()))().toISOString();

  const store = await openStore(values, env);
  try {
    const existing = await store.repo.getSeller(id);
    if (existing) {
      io.err(`shipnow: seller '${id}' already exists${existing.inboundAlias ? ` (address ${inboundAddress(existing.inboundAlias, domain)})` : ''}; change it with: shipnow seller update --id ${id}`);
      return EXIT.BAD_INPUT;
    }
    const created = await createSellerWithAlias(
      store.repo,
      {
        sellerId: id,
        name,
        marketplaces: marketplaces.map((m) => m.key),
        ...(alertEmails ? { alertEmails } : {}),
        ...(language ? { language } : {}),
        ...(timeZone ? { timeZone } : {}),
        createdAt: now,
      },
      random,
      chosenAlias,
    ).catch((err: unknown) => {
      if (err instanceof ChosenAliasTakenError) throw new UsageError(`--alias '${err.alias}' is already used by another seller`);
      throw err;
    });
    if (created.result === 'exists') {
      io.err(`shipnow: seller '${id}' already exists`);
      return EXIT.BAD_INPUT;
    }
    const seller = created.seller;
    if (!seller.inboundAlias) throw new Error('createSellerWithAlias returned a seller without an alias');
    io.out(setupInstructions(seller, inboundAddress(seller.inboundAlias, domain), marketplaces, placeholder ? PLACEHOLDER_NOTE : undefined));
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function sellerList(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parseFlags('seller list', args, { json: { type: 'boolean', default: false }, 'inbound-domain': { type: 'string' }, ...STORE_FLAGS });
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

/** What the seller must do in Seller Central, per marketplace, in English and Chinese. */
export function setupInstructions(seller: Seller, address: string, marketplaces: readonly Marketplace[], note?: string): string {
  const lines: string[] = [];
  lines.push(`Seller ${seller.sellerId} (${seller.name}) created.`);
  lines.push(`已创建卖家 ${seller.sellerId}（${seller.name}）。`);
  lines.push('');
  lines.push(`Inbound address / 接收地址:  ${address}`);
  if (note) lines.push(`  NOTE: ${note}.`);
  lines.push('');
  lines.push(...notificationSteps(address, address, marketplaces));
  return lines.join('\n');
}

