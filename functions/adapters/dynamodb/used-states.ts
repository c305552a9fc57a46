/**
 * Single use of the website authorization's `state`: one conditional put per state (the first
 * callback to write the nonce wins; any replay, even a concurrent one, finds it and is refused).
 * The item expires (TTL) a day after the state itself, when a replay fails on expiry anyway.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE, usedAuthorizeStateKey } from './keys';
import { DAY_SECONDS, Table } from './table';

/** Port of the web's single-use record (functions/web/app.ts). */
export interface UsedStateStore {
  /** 'first': this call recorded the nonce; 'reused': it was recorded before. */
  use(nonce: string, stateExpiresAt: number, now: string): Promise<'first' | 'reused'>;
}

export class DynamoDbUsedStates implements UsedStateStore {
  private readonly table: Table;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.table = new Table(options, 'DynamoDbUsedStates');
  }

  async use(nonce: string, stateExpiresAt: number, now: string): Promise<'first' | 'reused'> {
    const created = await this.table.putIfAbsent({ ...usedAuthorizeStateKey(nonce), usedAt: now, [TTL_ATTRIBUTE]: Math.floor(stateExpiresAt) + DAY_SECONDS });
    return created ? 'first' : 'reused';
  }
}
