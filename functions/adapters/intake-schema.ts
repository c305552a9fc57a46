/**
 * Key layout of the intake items, on the one Sentinel table (see ./table-schema.ts for the
 * others; same `pk`/`sk` string keys, same `expiresAt` TTL attribute).
 *
 * | item                     | pk                   | sk                       | notes                          |
 * |--------------------------|----------------------|--------------------------|--------------------------------|
 * | message (idempotency)    | `MSG#<messageId>`    | `MSG`                    | status, lease, outcome; TTL    |
 * | rejection log            | `INTAKE#REJECTED`    | `<messageId>`            | reason; TTL                    |
 * | counters                 | `INTAKE#COUNTS`      | `REJECTED#<reason>` ...  | `count` (ADD), once per message|
 * | quarantine               | `INTAKE#QUARANTINE`  | `<messageId>`            | reason, S3 key; TTL            |
 * | last email (per mp)      | `SELLER#<sellerId>`  | `LASTMAIL#<marketplace>` | newest accepted + channel facts|
 *
 * Message records get their own partition each (keyed by the SES message ID), so idempotency
 * checks spread over the table rather than landing on one hot partition (Powertools' persistence
 * layer with a sort key puts every record under one static partition key). The rejection log and
 * the quarantine are small, operator-facing lists: one partition each, listed with one Query.
 */
import { InvalidKeyError, sellerPartition, type TableKey } from './table-schema';

export const MESSAGE_SORT = 'MSG';
export const REJECTED_PARTITION = 'INTAKE#REJECTED';
export const QUARANTINE_PARTITION = 'INTAKE#QUARANTINE';
export const COUNTS_PARTITION = 'INTAKE#COUNTS';
export const LAST_MAIL_PREFIX = 'LASTMAIL#';

function part(field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidKeyError(field, String(value), 'empty');
  if (value.includes('#')) throw new InvalidKeyError(field, value, 'must not contain "#"');
  return value;
}

export function messageKey(messageId: string): TableKey {
  return { pk: `MSG#${part('messageId', messageId)}`, sk: MESSAGE_SORT };
}

export function rejectionKey(messageId: string): TableKey {
  return { pk: REJECTED_PARTITION, sk: part('messageId', messageId) };
}

export function quarantineKey(messageId: string): TableKey {
  return { pk: QUARANTINE_PARTITION, sk: part('messageId', messageId) };
}

/** Counter of one reason; the reason code is the part before any `:` detail. */
export function counterKey(kind: 'REJECTED' | 'QUARANTINED', reason: string): TableKey {
  return { pk: COUNTS_PARTITION, sk: `${kind}#${reasonCode(reason)}` };
}

export function reasonCode(reason: string): string {
  const code = reason.split(':')[0].trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return code.length > 0 ? code : 'unknown';
}

export function lastMailKey(sellerId: string, marketplace: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: LAST_MAIL_PREFIX + part('marketplace', marketplace) };
}
