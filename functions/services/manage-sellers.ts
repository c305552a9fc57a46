/**
 * The seller lifecycle behind `shipnow seller add --from | update | remove | channels`: many
 * sellers checked before any is written, a profile changed without losing a concurrent change,
 * and a removal that says exactly what happens to the data before it happens.
 */
import { AliasTakenError, ConcurrentModificationError, SentinelError } from '../domain/errors';
import { generateAlias } from '../domain/inbound';
import { retry } from '../domain/retry';
import type { SentinelRepository } from '../domain/ports';
import { checkSellerFields, profileFields, type SellerFieldChanges, type SellerRow } from '../domain/seller-input';
import type { Seller } from '../domain/types';
import { marketplaceByKey } from '../domain/marketplaces';
import type { SellerInventory, SellerProfileStore, VersionedSeller } from '../domain/ports';

// ---- creating a seller -----------------------------------------------------------------------------

/** The alias a seller asked for (`seller add --alias`) belongs to another seller. */
export class ChosenAliasTakenError extends SentinelError {
  override readonly name = 'ChosenAliasTakenError';
  constructor(readonly alias: string) {
    super(`alias '${alias}' is already used by another seller`);
  }
}

/**
 * Create the seller with a new unguessable inbound alias, or with `chosenAlias` (already checked
 * by validateInboundAlias; the repository checks it again), claimed before the profile is written
 * (see DynamoDbRepository.putSeller). `exists`: a seller with this ID exists; nothing was changed.
 */
export async function createSellerWithAlias(
  repo: Pick<SentinelRepository, 'putSeller'>,
  seller: Omit<Seller, 'inboundAlias'>,
  random: (n: number) => Uint8Array,
  chosenAlias?: string,
): Promise<{ result: 'created' | 'exists'; seller: Seller }> {
  if (chosenAlias !== undefined) {
    const candidate: Seller = { ...seller, inboundAlias: chosenAlias };
    try {
      return { result: await repo.putSeller(candidate), seller: candidate };
    } catch (err) {
      if (err instanceof AliasTakenError) throw new ChosenAliasTakenError(chosenAlias);
      throw err;
    }
  }
  return retry(
    async () => {
      const candidate: Seller = { ...seller, inboundAlias: generateAlias(random) };
      try {
        return { result: await repo.putSeller(candidate), seller: candidate };
      } catch (err) {
        if (!(err instanceof AliasTakenError)) throw err;
        return false; // 80 random bits: practically never
      }
    },
    { attempts: 5, onExhausted: () => new SentinelError('could not allocate a free inbound alias') },
  );
}

// ---- changing a profile --------------------------------------------------------------------------

/** What a change writes: attributes to set, attributes to remove. */
export interface ProfileChange {
  set: Record<string, unknown>;
  remove: string[];
}

/** Each lost race means someone else's change was written, so a few writers at once all get through. */
const MAX_ATTEMPTS = 10;

/**
 * Read the profile, let `decide` say what to change (null: nothing), write only that, conditional
 * on the version read. Lost a race: read again and decide again, so a change made meanwhile (another
 * field, another channel) is kept. Resolves to the profile read last and what was written.
 */
export async function changeSellerProfile(
  store: SellerProfileStore,
  sellerId: string,
  decide: (current: VersionedSeller) => ProfileChange | null,
): Promise<{ before: VersionedSeller | undefined; change: ProfileChange | null }> {
  return retry(
    async () => {
      const current = await store.getProfile(sellerId);
      if (!current) return { before: undefined, change: null };
      const change = decide(current);
      if (!change) return { before: current, change: null };
      await store.updateProfile(sellerId, current.version, change.set, change.remove);
      return { before: current, change };
    },
    {
      attempts: MAX_ATTEMPTS,
      retryOn: (err) => err instanceof ConcurrentModificationError,
      // A short random pause, so writers that collided do not collide again in lockstep.
      backoff: (attempt) => Math.random() * 20 * (attempt - 1),
    },
  );
}

// ---- many sellers from a file ----------------------------------------------------------------------

export interface ImportCandidate {
  line: number;
  /** Index of the row in the file: orders rows that share a line (a one-line JSON array). */
  position: number;
  changes: Required<Pick<SellerFieldChanges, 'sellerId' | 'name' | 'marketplaces'>> & SellerFieldChanges;
}

export interface ImportPlan {
  /** Sellers to create. */
  create: ImportCandidate[];
  /** Sellers that already exist exactly as the file says (a second run of the same file). */
  unchanged: Array<ImportCandidate & { existing: Seller }>;
  /** `line: problem`, every bad row; when any, nothing may be written. */
  problems: Array<{ line: number; message: string }>;
}

/**
 * Check every row of a file against the rules of `seller add` and against the sellers that exist,
 * and decide what to write. A seller that exists with exactly the row's fields is left as it is,
 * so running a file again after an interrupted run completes it; one that exists with other fields
 * is a problem (a file never overwrites a seller: that is `seller update`).
 */
export function planSellerImport(rows: readonly SellerRow[], existing: readonly Seller[]): ImportPlan {
  const plan: ImportPlan = { create: [], unchanged: [], problems: [] };
  const byId = new Map(existing.map((s) => [s.sellerId, s]));
  const firstLine = new Map<string, number>();
  for (const [position, row] of rows.entries()) {
    const { changes, problems } = checkSellerFields(row.values, { label: (f) => f, required: ['id', 'name', 'marketplaces'] });
    for (const message of problems) plan.problems.push({ line: row.line, message });
    if (problems.length > 0 || !changes.sellerId || !changes.name || !changes.marketplaces) continue;
    const candidate: ImportCandidate = { line: row.line, position, changes: { ...changes, sellerId: changes.sellerId, name: changes.name, marketplaces: changes.marketplaces } };
    const id = changes.sellerId;
    const seen = firstLine.get(id);
    if (seen !== undefined) {
      plan.problems.push({ line: row.line, message: `seller '${id}' is already on line ${seen}` });
      continue;
    }
    firstLine.set(id, row.line);
    const stored = byId.get(id);
    if (!stored) {
      plan.create.push(candidate);
      continue;
    }
    const differs = differingFields(stored, candidate.changes);
    if (differs.length === 0) plan.unchanged.push({ ...candidate, existing: stored });
    else {
      plan.problems.push({
        line: row.line,
        message: `seller '${id}' already exists with another ${differs.join(', ')} (change it with: shipnow seller update --id ${id} ...)`,
      });
    }
  }
  plan.problems.sort((a, b) => a.line - b.line);
  return plan;
}

/** The fields of a row that are not what is stored (optional fields the row leaves out must be absent). */
function differingFields(stored: Seller, c: SellerFieldChanges): string[] {
  const want = profileFields(c);
  const out: string[] = [];
  if (want.name !== stored.name) out.push('name');
  if (!sameList(want.marketplaces, stored.marketplaces)) out.push('marketplaces');
  if (!sameList(want.alertEmails ?? [], stored.alertEmails ?? [])) out.push('alert-email');
  if ((want.language ?? null) !== (stored.language ?? null)) out.push('language');
  if ((want.timeZone ?? null) !== (stored.timeZone ?? null)) out.push('timezone');
  return out;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
}

// ---- removal ---------------------------------------------------------------------------------------

export interface RemovalContext {
  /** `embedded` (a local data folder) or `table` (a deployed table). */
  kind: 'embedded' | 'table';
  /** e.g. `table Sentinel-prod` or `embedded store in /home/me/.data`. */
  describe: string;
  /** The seller's inbound address, when the inbound domain is known. */
  address?: string;
  /** Embedded only: the folder of raw mail. */
  mailDir?: string;
  /** Name prefix of the SP-API secrets (default `shipnow-sentinel/sp-api/`). */
  secretsPrefix: string;
  /** SSM path prefix of the per-seller secrets (default `/shipnow-sentinel/`). */
  sellerSecretsPrefix?: string;
}

/**
 * What removing the seller does to each kind of data, said before it happens: what is deleted now,
 * what expires by itself (TTL, bucket lifecycle), what stays until someone removes it.
 */
export function removalStatement(inv: SellerInventory, ctx: RemovalContext): string {
  const c = inv.counts;
  const p = inv.profile;
  const n = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
  const lines: string[] = [];
  lines.push(p ? `Removing seller ${inv.sellerId} (${p.name}) from the ${ctx.describe}.` : `Seller ${inv.sellerId} has no profile in the ${ctx.describe} (an earlier removal was interrupted); removing what is left.`);
  lines.push('');
  lines.push('Deleted now:');
  if (p) {
    const markets = p.marketplaces.map((k) => marketplaceByKey(k)?.code ?? k).join(', ');
    const channels = Array.isArray((p.alerting as { channels?: unknown[] } | undefined)?.channels) ? (p.alerting as { channels: unknown[] }).channels.length : 0;
    lines.push(`  - the seller profile: name, marketplaces (${markets}), alert emails, language, time zone, alert settings${channels > 0 ? ` and ${n(channels, 'alert channel')}` : ''}, order-sync settings`);
  }
  if (p?.inboundAlias) {
    lines.push(
      `  - the inbound address ${ctx.address ?? `${p.inboundAlias}@<inbound domain>`}${inv.aliasClaimed ? '' : ' (its alias item is already gone)'}: mail sent to it from now on is rejected as an unknown alias`,
    );
  }
  lines.push(`  - ${n(c.orders, 'order')}${c.orders > 0 ? ` (${inv.openOrders.toLocaleString('en-US')} not shipped or cancelled: no more alerts or reminders about them)` : ''}`);
  lines.push(`  - ${n(c.notifications, 'notification')} (the record of each Sold, Ship Now email received for an order)`);
  lines.push(`  - ${n(c.outboxAlerts, 'outbox alert')}${inv.unsentAlerts > 0 ? ` (${inv.unsentAlerts.toLocaleString('en-US')} not sent yet: they will not be sent)` : ''} and ${n(c.channelHealth, 'broken-channel mark')}`);
  lines.push(`  - ${n(c.syncState, 'order-sync state item')} (lease, cursors, rate-limit buckets) and ${n(c.syncHealth, 'sync-health item')}`);
  lines.push(`  - ${n(c.history + c.lastEmails, 'history item')} (daily counts, missing streaks, last email per marketplace) used by the diagnosis`);
  if (c.other > 0) lines.push(`  - ${n(c.other, 'other item')} in the seller's partition`);
  lines.push('');
  const intake = "the intake records of the seller's messages (message ledger, rejections, quarantine; keyed by message, not by seller)";
  if (ctx.kind === 'table') {
    lines.push('Expire by themselves (not deleted now):');
    lines.push(`  - ${intake}: DynamoDB TTL, the raw-mail expiry + 15 days`);
    lines.push(`  - raw mail in the mail bucket (inbound/) and uploaded reports (reports/${inv.sellerId}/): the bucket's lifecycle rules, rawMailExpirationDays (default 30 days)`);
    lines.push('  - copies in point-in-time backups of the table (35 days) and IDs in the logs (logRetentionDays, default 30 days)');
    lines.push('');
  }
  lines.push('Stays until you remove it:');
  if (ctx.kind === 'embedded') {
    lines.push(`  - ${intake}: the embedded store sets no expiry`);
    if (ctx.mailDir) lines.push(`  - raw mail files in ${ctx.mailDir} (delete them by hand)`);
  }
  if (ctx.kind === 'table') {
    const ssm = `${ctx.sellerSecretsPrefix ?? '/shipnow-sentinel/'}seller/${inv.sellerId}`;
    lines.push(`  - the seller's secrets in SSM Parameter Store: ${ssm}/sp-api (SP-API refresh tokens) and ${ssm}/imap (mailbox app password) (aws ssm delete-parameters --names ${ssm}/sp-api ${ssm}/imap)`);
  }
  lines.push(`  - the seller's SP-API refresh token in Secrets Manager, if stored there before the parameter store: ${ctx.secretsPrefix}seller/${inv.sellerId} (aws secretsmanager delete-secret --secret-id ${ctx.secretsPrefix}seller/${inv.sellerId})`);
  if (inv.profile?.mailbox) {
    lines.push(
      ctx.kind === 'table'
        ? `  - the connected mailbox's app password at the mail provider: revoke it there (the copy in the parameter store goes with the parameter above)`
        : `  - the connected mailbox's app password at the mail provider: revoke it there, and run shipnow mailbox disconnect --seller ${inv.sellerId} first to delete the stored copy`,
    );
  }
  lines.push('  - the address in Seller Central > Settings > Notification Preferences of each marketplace: remove it there, or Amazon keeps sending to an address that now rejects the mail');
  return lines.join('\n');
}
