/**
 * Plain objects to and from DynamoDB attribute maps, shared by every adapter over the one table.
 *
 * Written here rather than through lib-dynamodb's DocumentClient: `DynamoDBDocumentClient.from`
 * changes the shared client's marshalling options for everyone who uses it (aws-sdk-js-v3#6545),
 * and the adapters share one client.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SentinelError } from '../domain/errors';
import { STORAGE_ATTRIBUTES } from './table-schema';

export type Item = Record<string, unknown>;
export type Attributes = Record<string, AttributeValue>;

/** A value the table cannot hold as given (a class instance, a function, NaN, ...). */
export class UnsupportedValueError extends SentinelError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`cannot store ${path}: ${problem}`);
    this.path = path;
  }
}

/**
 * Plain object -> attribute map. `undefined` members are left out, so an optional domain field
 * cleared with `{ ...order, alertAfter: undefined }` is simply absent from the stored item.
 */
export function toAttributes(item: object, path = 'item'): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(item)) {
    const attr = toAttribute(value, `${path}.${name}`);
    if (attr !== undefined) out[name] = attr;
  }
  return out;
}

function toAttribute(value: unknown, path: string): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw new UnsupportedValueError(path, `${value} is not a finite number`);
      return { N: String(value) };
    case 'object':
      if (Array.isArray(value)) return { L: value.map((v, i) => toAttribute(v, `${path}[${i}]`) ?? { NULL: true }) };
      if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
        return { M: toAttributes(value, path) };
      }
      throw new UnsupportedValueError(path, `instance of ${value.constructor?.name ?? 'a class'}`);
    default:
      throw new UnsupportedValueError(path, `a ${typeof value}`);
  }
}

/** Attribute map -> plain object. Only the types `toAttributes` writes are expected back. */
export function fromAttributes(attrs: Attributes): Item {
  const out: Item = {};
  for (const [name, attr] of Object.entries(attrs)) out[name] = fromAttribute(attr, name);
  return out;
}

function fromAttribute(attr: AttributeValue, path: string): unknown {
  if (attr.S !== undefined) return attr.S;
  if (attr.N !== undefined) return Number(attr.N);
  if (attr.BOOL !== undefined) return attr.BOOL;
  if (attr.NULL !== undefined) return null;
  if (attr.L !== undefined) return attr.L.map((a, i) => fromAttribute(a, `${path}[${i}]`));
  if (attr.M !== undefined) return fromAttributes(attr.M);
  throw new UnsupportedValueError(path, `unexpected attribute type ${Object.keys(attr).join(',')}`);
}

/**
 * Domain object from a stored item: drop the layout attributes (keys, due keys, TTL). The cast is
 * the adapter's trust boundary: the item was written by this adapter from the same type.
 */
export function fromItem<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.includes(k)) out[k] = v;
  return out as T;
}

/**
 * By name rather than `instanceof ConditionalCheckFailedException`: a second copy of
 * @aws-sdk/client-dynamodb in node_modules (another package's dependency) would make instanceof
 * false and turn a lost race into an unexpected error.
 */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

