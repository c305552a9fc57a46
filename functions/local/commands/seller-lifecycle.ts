/**
 * The seller lifecycle on the command line, with the store flags of ./store.ts (`--data DIR` |
 * `--table NAME [--endpoint URL] [--region R]`):
 *
 * - `seller add --from FILE`: many sellers from a CSV or JSON file (FILE `-`: standard input).
 *   Every row is checked first (the rules of `seller add`, a seller twice in the file, sellers that
 *   exist); any bad row: every one is reported as `FILE:LINE: problem`, exit 2, nothing written.
 *   A seller that exists exactly as its row says is left as it is, so running the same file
 *   again after an interrupted run completes it.
 * - `seller update --id ID [--name ...] [--marketplaces ...] [--alert-email ...] [--language ...]
 *   [--timezone ...] [--clear alert-email|language|timezone]`: only the given fields change, in one
 *   conditional write on the profile's version (re-read and re-applied when someone else changed
 *   it meanwhile, so neither change is lost).
 * - `seller remove --id ID [--yes] [--dry-run]`: says what happens to every kind of data, then asks
 *   for the seller ID on a terminal; `--yes` skips the question; without a terminal and without
 *   `--yes` it refuses (exit 2). Running it again finishes an interrupted removal.
 *
 * Exit: 0 done; 1 `remove` cancelled at the question; 2 bad input. Every flag, exit status and an
 * example: the help records in ../help.ts (`shipnow seller update --help`).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { DEFAULT_SECRETS_PREFIX } from '../../adapters/secrets';
import { DynamoDbSellerAdmin } from '../../adapters/dynamodb/seller-admin';
import type { StoredSellerProfile } from '../../domain/ports';
import { readSellerFile } from '../../adapters/seller-file';
import { ALERTING_FLAG_NAMES, applyAlertingChange, parseAlertingFlags, showAlertingValue, storedAlerting, type AlertingFlag } from '../../domain/alerting-input';
import { InputError } from '../../domain/errors';
import { inboundAddress } from '../../domain/inbound';
import { marketplaceByKey, type Marketplace } from '../../domain/marketplaces';
import { CLEARABLE_FIELDS, CLEARED_ATTRIBUTE, sellerIdProblem, checkSellerFields, profileFields, type ClearableField } from '../../domain/seller-input';
import type { Seller } from '../../domain/types';
import { changeSellerProfile, createSellerWithAlias, planSellerImport, removalStatement } from '../../services/manage-sellers';
import { SELLER_FIELD_FLAGS, notificationSteps, parse, type SellerCommandOptions } from './seller-common';
import { EXIT, type Io, UsageError } from '../cli-io';
import { inboundDomainConfigured, inboundDomainOf, PLACEHOLDER_NOTE, requireInboundDomain } from '../inbound-domain';
import { openStore, STORE_FLAGS } from './store';

// ---- add --from ------------------------------------------------------------------------------------

/** Sellers created in parallel by `add --from`. */
const IMPORT_CONCURRENCY = 8;

export async function sellerAddFrom(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const given = Object.keys(SELLER_FIELD_FLAGS).filter((f) => args.some((a) => a === `--${f}` || a.startsWith(`--${f}=`)));
  if (given.length > 0) throw new UsageError(`seller add --from takes the sellers from the file: ${given.map((f) => `--${f}`).join(', ')} cannot be combined with it`);
  const { values } = parse('seller add', args, { from: { type: 'string' }, json: { type: 'boolean', default: false }, 'inbound-domain': { type: 'string' }, ...STORE_FLAGS });
  const file = values.from;
  if (!file) throw new UsageError('seller add --from needs a FILE (CSV or JSON; - for standard input)');
  const env = opts.env ?? process.env;
  const domain = requireInboundDomain(values, values['inbound-domain'], env, 'seller add --from');
  const placeholder = !inboundDomainConfigured(values['inbound-domain'], env);
  const text = await readText(file);
  const name = file === '-' ? 'stdin' : file;

  const parsed = readSellerFile(file, text);
  if (parsed.rows.length === 0 && parsed.problems.length === 0) throw new InputError(name, `no sellers in the file (expected ${parsed.format === 'csv' ? 'a header row and one row per seller' : 'a JSON array of sellers'})`);
  const store = await openStore(values, env);
  try {
    // The existing sellers are needed for the check (one Query); reading them first also means a
    // file with bad rows reports all of them, those that clash with stored sellers included.
    const plan = planSellerImport(parsed.rows, await store.repo.listSellers());
    const problems = [...parsed.problems.map((p) => ({ line: p.line, message: p.message })), ...plan.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    if (problems.length > 0) {
      for (const p of problems) io.err(`shipnow: ${name}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`);
      const rows = new Set(problems.map((p) => p.line)).size;
      io.err(`shipnow: ${name}: ${rows} bad ${rows === 1 ? 'row' : 'rows'}; nothing was written`);
      return EXIT.BAD_INPUT;
    }

    const random = opts.randomBytes ?? ((n: number) => randomBytes(n));
    const now = (opts.now ?? (() => new Date()))().toISOString();
    const results: Array<{ line: number; position: number; sellerId: string; status: 'created' | 'unchanged' | 'exists'; address: string | null; seller: Seller }> = [];
    for (const u of plan.unchanged) {
      results.push({ line: u.line, position: u.position, sellerId: u.existing.sellerId, status: 'unchanged', address: u.existing.inboundAlias ? inboundAddress(u.existing.inboundAlias, domain) : null, seller: u.existing });
    }
    // A few sellers in flight at once (each is an alias claim and a profile put); printed in file order.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plan.create.length) {
        const c = plan.create[next++];
        const created = await createSellerWithAlias(store.repo, { sellerId: c.changes.sellerId, ...profileFields(c.changes), name: c.changes.name, marketplaces: c.changes.marketplaces.map((m) => m.key), createdAt: now }, random);
        const address = created.seller.inboundAlias ? inboundAddress(created.seller.inboundAlias, domain) : null;
        results.push({ line: c.line, position: c.position, sellerId: c.changes.sellerId, status: created.result === 'created' ? 'created' : 'exists', address, seller: created.seller });
      }
    };
    await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, plan.create.length) }, worker));
    results.sort((a, b) => a.line - b.line || a.position - b.position);
    if (!values.json) for (const r of results.filter((x) => x.status === 'created')) io.out(`created\t${r.sellerId}\t${r.address ?? '-'}`);
    // Created by someone else between the check and the write: told, not overwritten.
    const raced = results.filter((r) => r.status === 'exists');
    for (const r of raced) io.err(`shipnow: ${name}:${r.line}: seller '${r.sellerId}' was created by someone else meanwhile; left as it is`);

    if (values.json) {
      io.out(JSON.stringify(results.map((r) => ({ line: r.line, sellerId: r.sellerId, status: r.status, address: r.status === 'exists' ? null : r.address })), null, 2));
    } else {
      for (const r of results.filter((x) => x.status === 'unchanged')) io.out(`unchanged\t${r.sellerId}\t${r.address ?? '-'}`);
      const created = results.filter((r) => r.status === 'created');
      io.out('');
      io.out(`${created.length} created, ${results.length - created.length - raced.length} already there unchanged (${store.describe}).`);
      if (placeholder) io.out(`NOTE: the addresses use the ${PLACEHOLDER_NOTE}.`);
      if (created.length > 0) {
        const markets = unionMarketplaces(created.map((r) => r.seller));
        io.out('');
        io.out(notificationSteps("each seller's address (above)", '上面列出的该卖家地址', markets).join('\n'));
      }
    }
    return raced.length > 0 ? EXIT.BAD_INPUT : EXIT.OK;
  } finally {
    await store.close();
  }
}

async function readText(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as Error).message}`);
  }
}

function unionMarketplaces(sellers: readonly Seller[]): Marketplace[] {
  const out: Marketplace[] = [];
  for (const s of sellers) for (const k of s.marketplaces) {
    const m = marketplaceByKey(k);
    if (m && !out.includes(m)) out.push(m);
  }
  return out;
}

// ---- update ----------------------------------------------------------------------------------------

export async function sellerUpdate(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse('seller update', args, {
    ...SELLER_FIELD_FLAGS,
    ...ALERTING_OPTIONS,
    clear: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    'inbound-domain': { type: 'string' },
    ...STORE_FLAGS,
  });
  const id = values.id;
  if (!id) throw new UsageError('seller update needs --id ID');
  const checked = checkSellerFields(values, { label: (f) => `--${f}` });
  const alertingFlags = parseAlertingFlags(values);
  const problems = [...checked.problems, ...alertingFlags.problems];
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const clear: ClearableField[] = [];
  const alerting = alertingFlags.change;
  const clearable = [...CLEARABLE_FIELDS, ...ALERTING_FLAG_NAMES];
  for (const c of values.clear ?? []) {
    if (!(clearable as readonly string[]).includes(c)) throw new UsageError(`--clear ${c}: only ${clearable.join(', ')} can be cleared`);
    if (values[c as ClearableField | AlertingFlag] !== undefined) throw new UsageError(`--clear ${c} and --${c} together: give one`);
    if ((CLEARABLE_FIELDS as readonly string[]).includes(c)) clear.push(c as ClearableField);
    else alerting.clear.push(c as AlertingFlag);
  }
  const set = profileFields(checked.changes);
  const alertingGiven = Object.keys(alerting.set).length > 0 || alerting.clear.length > 0;
  if (Object.keys(set).length === 0 && clear.length === 0 && !alertingGiven) {
    throw new UsageError('seller update needs something to change: --name, --marketplaces, --alert-email, --language, --timezone, an alert setting (--quiet-hours, ...) or --clear FIELD');
  }
  const env = opts.env ?? process.env;
  const store = await openStore(values, env);
  try {
    const admin = new DynamoDbSellerAdmin({ client: store.client, tableName: store.tableName });
    const diff: string[] = [];
    const { before, change } = await changeSellerProfile(admin, id, (current) => {
      diff.length = 0;
      const s = current.seller as unknown as Record<string, unknown>;
      const toSet: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(set)) {
        if (JSON.stringify(s[k]) === JSON.stringify(v)) continue;
        toSet[k] = v;
        diff.push(`${k}: ${show(s[k])} -> ${show(v)}`);
      }
      const toRemove = clear.map((c) => CLEARED_ATTRIBUTE[c]).filter((a) => s[a] !== undefined);
      for (const a of toRemove) diff.push(`${a}: ${show(s[a])} -> (none)`);
      if (alertingGiven) {
        const stored = storedAlerting(current.seller);
        const next = applyAlertingChange(stored, alerting);
        if (next.problem) throw new UsageError(`seller ${id}: the alert settings would be invalid (${next.problem}); nothing was changed`);
        if (JSON.stringify(next.alerting) !== JSON.stringify(stored)) {
          toSet.alerting = next.alerting;
          for (const f of [...Object.keys(alerting.set), ...alerting.clear] as AlertingFlag[]) {
            const from = showAlertingValue(f, stored);
            const to = showAlertingValue(f, next.alerting);
            if (from !== to) diff.push(`${f}: ${from} -> ${to}`);
          }
        }
      }
      return Object.keys(toSet).length > 0 || toRemove.length > 0 ? { set: toSet, remove: toRemove } : null;
    });
    if (!before) throw new UsageError(`no seller '${id}' in ${store.describe}`);
    if (values.json) {
      const after = (await admin.getProfile(id))?.seller;
      const changed = change ? [...Object.keys(change.set), ...change.remove] : [];
      io.out(JSON.stringify({ sellerId: id, changed, seller: after ? { ...profileJson(after, store.kind === 'embedded' || inboundDomainConfigured(values['inbound-domain'], env) ? inboundDomainOf(values['inbound-domain'], env) : undefined), alerting: alertingSummary(after) } : null }, null, 2));
    } else if (!change) {
      io.out(`${id}: nothing to change (${store.describe})`);
    } else {
      io.out(`Seller ${id} updated (${store.describe}):`);
      for (const d of diff) io.out(`  ${d}`);
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

/** The alert settings update can change, without the channels (those are `seller channels list`). */
function alertingSummary(s: StoredSellerProfile): Record<string, unknown> {
  const { channels: _channels, ...rest } = storedAlerting(s);
  return rest;
}

const ALERTING_OPTIONS = Object.fromEntries(ALERTING_FLAG_NAMES.map((f) => [f, { type: 'string' }])) as Record<AlertingFlag, { type: 'string' }>;

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** `domain` undefined: on a table without the deployed inbound domain, where the placeholder would be a wrong address (null). */
function profileJson(s: Seller, domain: string | undefined) {
  return {
    sellerId: s.sellerId,
    name: s.name,
    marketplaces: s.marketplaces,
    address: s.inboundAlias && domain ? inboundAddress(s.inboundAlias, domain) : null,
    language: s.language ?? null,
    timeZone: s.timeZone ?? null,
    alertEmails: s.alertEmails ?? [],
    createdAt: s.createdAt,
  };
}

// ---- remove ----------------------------------------------------------------------------------------

export async function sellerRemove(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse('seller remove', args, {
    id: { type: 'string' },
    yes: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    'inbound-domain': { type: 'string' },
    'secrets-prefix': { type: 'string' },
    ...STORE_FLAGS,
  });
  const id = values.id;
  if (!id) throw new UsageError('seller remove needs --id ID');
  const idProblem = sellerIdProblem('--id', id);
  if (idProblem) throw new UsageError(idProblem);
  const env = opts.env ?? process.env;
  const interactive = opts.interactive ?? process.stdin.isTTY === true;
  // Refused before anything is read: a script without --yes learns it at once.
  if (!values.yes && !values['dry-run'] && !interactive) {
    throw new UsageError(`seller remove --id ${id}: not a terminal, so there is no one to confirm; run it again with --yes to remove without asking (or --dry-run to see what would happen)`);
  }
  const store = await openStore(values, env);
  try {
    const admin = new DynamoDbSellerAdmin({ client: store.client, tableName: store.tableName });
    const inv = await admin.inventory(id);
    if (!inv.profile && inv.keys.length === 0) throw new UsageError(`no seller '${id}' in ${store.describe}`);
    const domainKnown = store.kind === 'embedded' || inboundDomainConfigured(values['inbound-domain'], env);
    const alias = inv.profile?.inboundAlias;
    io.out(
      removalStatement(inv, {
        kind: store.kind,
        describe: store.describe,
        ...(alias && domainKnown ? { address: inboundAddress(alias, inboundDomainOf(values['inbound-domain'], env)) } : {}),
        ...(store.mailDir ? { mailDir: store.mailDir } : {}),
        secretsPrefix: values['secrets-prefix'] ?? DEFAULT_SECRETS_PREFIX,
      }),
    );
    if (values['dry-run']) {
      io.out('');
      io.out('(dry run: nothing was removed)');
      return EXIT.OK;
    }
    if (!values.yes) {
      const answer = await (opts.ask ?? askOnTerminal)(`\nThis cannot be undone. Type the seller ID (${id}) to remove it, anything else to cancel: `);
      if (answer.trim() !== id) {
        io.out('Cancelled: nothing was removed.');
        return EXIT.FAILED;
      }
    }
    const first = await admin.remove(inv);
    // A write that raced the removal (an order sync or an email in flight) left items: once more,
    // unless the seller was added again meanwhile (then what is there is the new seller's).
    const left = await admin.inventory(id);
    const again = left.profile !== undefined;
    const second = !again && left.keys.length > 0 ? await admin.remove(left) : { itemsDeleted: 0 };
    const deleted = first.itemsDeleted + second.itemsDeleted + (first.profileDeleted ? 1 : 0) + (first.aliasReleased ? 1 : 0);
    io.out('');
    io.out(`Seller ${id} removed: ${deleted.toLocaleString('en-US')} items deleted from the ${store.describe}.`);
    if (again) io.err(`shipnow: note: seller '${id}' was added again while it was being removed; the new profile was left as it is`);
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
