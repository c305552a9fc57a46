/**
 * Fault injection for the delivery suite: each "process" (a Lambda invocation) gets its own
 * DynamoDB client on the shared dynalite, with a client middleware that crashes, fails or stalls
 * the Nth call of a given command; channels that succeed, fail, hang, or answer and then crash;
 * and the counts the closing note reports (messages lost, alerts never sent, duplicate deliveries,
 * cross-seller writes).
 *
 * A crash is a process death: the call (and every later call of that process, its channels
 * included) throws ProcessDied, so no clean-up code of the dead process reaches the table. A stall
 * never answers; the harness kills the process once it is stuck there, as Lambda does at its
 * deadline (no real waiting: the kill is deterministic, whatever the machine's load).
 */
import { ProvisionedThroughputExceededException, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromAttributes } from '../../functions/adapters/dynamodb/table';
import { type ChannelFactory } from '../../functions/domain/ports';
import { PermanentChannelError, TransientChannelError } from '../../functions/domain/errors';
import { localClient } from '../../functions/local/embedded-dynamodb';

export class ProcessDied extends Error {
  constructor(process: string, why: string) {
    super(`process ${process} died: ${why}`);
    this.name = 'ProcessDied';
  }
}

/**
 * `crash-before`: dies before the call reaches DynamoDB; `crash-after`: the write lands, then the
 * process dies before it sees the answer; `fail`: one throttling error (the SDK's retries are
 * spent); `stall`: the call never answers (killed at the deadline); `pause`: held until
 * `resume()`, then sent (a stale worker waking up).
 */
export type FaultKind = 'crash-before' | 'crash-after' | 'fail' | 'stall' | 'pause';
export const KILLING_FAULTS: FaultKind[] = ['crash-before', 'crash-after', 'stall'];
export const ALL_FAULTS: FaultKind[] = ['crash-before', 'crash-after', 'fail', 'stall'];

/**
 * The faults worth injecting into a call: for a read, dying before or after it or stalling in it
 * all leave the table as it was, so one death and one throttle stand for them.
 */
export function faultsFor(command: string): FaultKind[] {
  return command === 'GetItemCommand' || command === 'QueryCommand' ? ['crash-before', 'fail'] : ALL_FAULTS;
}

export interface Fault {
  command: string;
  /** 1-based: the Nth call of `command` by this process. */
  nth: number;
  kind: FaultKind;
}

export class FaultyProcess {
  dead = false;
  readonly client: DynamoDBClient;
  /** Every command this process sent (or tried to), in order. */
  readonly calls: string[] = [];
  private readonly counts = new Map<string, number>();
  private resumeGate: (() => void) | undefined;
  private pausedSignal: (() => void) | undefined;
  private stalledSignal: (() => void) | undefined;
  /** Resolves when a `pause` fault was reached. */
  readonly paused: Promise<void>;
  /** Resolves when a `stall` fault was reached: from then on the process only waits for its deadline. */
  readonly stalled: Promise<void>;

  constructor(
    endpoint: string,
    readonly name: string,
    private readonly faults: Fault[] = [],
  ) {
    this.paused = new Promise((r) => (this.pausedSignal = r));
    this.stalled = new Promise((r) => (this.stalledSignal = r));
    this.client = localClient(endpoint);
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName);
        this.check(command);
        const n = (this.counts.get(command) ?? 0) + 1;
        this.counts.set(command, n);
        this.calls.push(command);
        const fault = this.faults.find((f) => f.command === command && f.nth === n);
        if (!fault) return next(args);
        switch (fault.kind) {
          case 'crash-before':
            this.dead = true;
            throw new ProcessDied(this.name, `before ${command} #${n}`);
          case 'crash-after': {
            await next(args);
            this.dead = true;
            throw new ProcessDied(this.name, `after ${command} #${n}`);
          }
          case 'fail':
            throw new ProvisionedThroughputExceededException({ message: `injected throttling of ${command} #${n}`, $metadata: { httpStatusCode: 400 } });
          case 'stall':
            this.stalledSignal?.();
            return new Promise<never>(() => undefined);
          case 'pause':
            await new Promise<void>((r) => {
              this.resumeGate = r;
              this.pausedSignal?.();
            });
            return next(args);
        }
      },
      { step: 'initialize', name: 'faultInjector' },
    );
  }

  /** A dead process does nothing any more: every call (DynamoDB or channel) throws. */
  check(what = 'call'): void {
    if (this.dead) throw new ProcessDied(this.name, `already dead (${what})`);
  }

  resume(): void {
    this.resumeGate?.();
  }

  destroy(): void {
    this.client.destroy();
  }
}

export type RunOutcome<T> = { outcome: 'ok'; value: T } | { outcome: 'died' } | { outcome: 'killed' } | { outcome: 'threw'; error: unknown };

/** Run one invocation of `proc`: it ends, dies (a crash), or is killed once it is stuck in a stall. */
export async function runIn<T>(proc: FaultyProcess, fn: () => Promise<T>): Promise<RunOutcome<T>> {
  try {
    const r = await Promise.race([fn().then((value) => ({ value })), proc.stalled.then(() => 'killed' as const)]);
    if (r === 'killed') {
      proc.dead = true;
      return { outcome: 'killed' };
    }
    return proc.dead ? { outcome: 'died' } : { outcome: 'ok', value: r.value };
  } catch (error) {
    if (proc.dead || error instanceof ProcessDied) {
      proc.dead = true;
      return { outcome: 'died' };
    }
    return { outcome: 'threw', error };
  }
}

// ---- channels ------------------------------------------------------------------------------------

export type Behaviour = 'ok' | 'transient' | 'permanent' | 'hang' | 'answer-then-crash' | 'bug';

export interface Delivery {
  /** The seller the message was for. */
  sellerId: string;
  channelId: string;
  alertIds: string[];
  /** The sellers of the alerts it carried (cross-seller when any differs from `sellerId`). */
  alertSellers: string[];
}

/** The world's channels: what each one does per attempt (the last entry repeats), and what it received. */
export class Channels {
  readonly deliveries: Delivery[] = [];
  readonly attempts: Record<string, number> = {};

  constructor(private readonly behaviours: Record<string, Behaviour[]> = {}) {}

  factory(proc: FaultyProcess): ChannelFactory {
    return (config) => ({
      id: config.id,
      type: config.type,
      send: async (m, options) => {
        proc.check(`send via ${config.id}`);
        const n = (this.attempts[config.id] = (this.attempts[config.id] ?? 0) + 1);
        const plan = this.behaviours[config.id] ?? ['ok'];
        const what = plan[Math.min(n - 1, plan.length - 1)];
        const record = () =>
          this.deliveries.push({ sellerId: m.sellerId, channelId: config.id, alertIds: m.alerts.map((a) => a.alertId), alertSellers: m.alerts.map((a) => a.sellerId) });
        switch (what) {
          case 'ok':
            record();
            return;
          case 'transient':
            throw new TransientChannelError(config.id, 'HTTP 503');
          case 'permanent':
            throw new PermanentChannelError(config.id, 'HTTP 404: no such webhook');
          case 'bug':
            throw new TypeError(`bug in the ${config.type} adapter`);
          case 'hang':
            // Never answers; only the sender's abort ends the wait.
            return new Promise<void>((_, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
          case 'answer-then-crash':
            record();
            proc.dead = true;
            throw new ProcessDied(proc.name, `after ${config.id} answered`);
        }
      },
    });
  }

  /** How many times each alert reached a seller. */
  deliveredCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const d of this.deliveries) for (const id of d.alertIds) counts.set(`${d.sellerId}/${id}`, (counts.get(`${d.sellerId}/${id}`) ?? 0) + 1);
    return counts;
  }

  /** Deliveries (messages) that carried an alert the seller had already received. */
  duplicates(): number {
    const seen = new Set<string>();
    let n = 0;
    for (const d of this.deliveries) {
      const keys = d.alertIds.map((id) => `${d.sellerId}/${id}`);
      if (keys.some((k) => seen.has(k))) n++;
      for (const k of keys) seen.add(k);
    }
    return n;
  }

  /** The most times any one alert reached its seller. */
  maxPerAlert(): number {
    return Math.max(0, ...this.deliveredCounts().values());
  }

  /** Deliveries carrying another seller's alert, or through another seller's own channel. */
  crossSeller(): number {
    return this.deliveries.filter((d) => d.alertSellers.some((s) => s !== d.sellerId) || (!d.channelId.startsWith('stack-') && !d.channelId.startsWith(`${d.sellerId}-`))).length;
  }
}

// ---- table checks -----------------------------------------------------------------------------------

/**
 * Items in a seller's partition that belong to another seller (their `sellerId`, or their alert's):
 * a test-only Scan of the whole table.
 */
export async function crossSellerItems(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const bad: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const res = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const raw of res.Items ?? []) {
      const item = fromAttributes(raw);
      const pk = String(item.pk);
      if (!pk.startsWith('SELLER#')) continue;
      const owner = pk.slice('SELLER#'.length);
      const named = [item.sellerId, (item.alert as { sellerId?: unknown } | undefined)?.sellerId].filter((v) => typeof v === 'string');
      if (named.some((s) => s !== owner)) bad.push(`${pk}|${String(item.sk)}`);
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return bad;
}

// ---- the closing note's table ------------------------------------------------------------------------

export interface Row {
  scenario: string;
  runs: number;
  lost: number;
  neverSent: number;
  duplicates: number;
  crossSeller: number;
  /** The named case: the process died between a channel's answer and its record. */
  namedCase?: boolean;
}

export function table(rows: Row[]): string {
  const head = '| scenario | runs | messages lost | alerts never sent | duplicate deliveries | cross-seller writes |\n|---|---:|---:|---:|---:|---:|';
  const body = rows.map((r) => `| ${r.scenario}${r.namedCase ? ' (named case)' : ''} | ${r.runs} | ${r.lost} | ${r.neverSent} | ${r.duplicates} | ${r.crossSeller} |`);
  const total = rows.reduce((a, r) => ({ runs: a.runs + r.runs, lost: a.lost + r.lost, neverSent: a.neverSent + r.neverSent, duplicates: a.duplicates + r.duplicates, crossSeller: a.crossSeller + r.crossSeller }), { runs: 0, lost: 0, neverSent: 0, duplicates: 0, crossSeller: 0 });
  return [head, ...body, `| **total** | ${total.runs} | ${total.lost} | ${total.neverSent} | ${total.duplicates} | ${total.crossSeller} |`].join('\n');
}
