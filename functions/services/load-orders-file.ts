/**
 * Read orders from a file (or every file of a directory) whose format is detected by content:
 * the Unshipped Orders report (tab-delimited) or a saved SP-API Orders response (JSON).
 * Duplicates of one order (an order in two pages, in the report and the API) fold into one
 * OrderFacts by the merge rules of order-merge.ts, so the caller stores each order once.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '../domain/errors';
import { mergeFacts } from '../domain/order-merge';
import type { OrderFacts } from '../domain/types';
import { isUnshippedReportHeader, parseUnshippedReport } from '../adapters/report-file';
import { parseSpApiOrders } from '../adapters/sp-api-json';

export type OrdersFileFormat = 'report' | 'sp-api-2026' | 'sp-api-v0';

export interface LoadedFile {
  file: string;
  format: OrdersFileFormat;
  /** Orders in this file after folding its duplicates. */
  orders: number;
  /** SP-API pagination token when the saved response was not the last page. */
  nextToken?: string;
}

export interface LoadedOrders {
  /** The file's format; for a directory, the common format of its files, or 'mixed'. */
  format: OrdersFileFormat | 'mixed';
  orders: OrderFacts[];
  /** One entry per file read (one for a plain file). */
  files: LoadedFile[];
}

export interface LoadOptions {
  sellerId: string;
  /** For the report when it has no sales-channel column: a marketplace key or code. */
  defaultMarketplace?: string | null;
}

/**
 * Load `file`. A directory loads every regular file directly in it, sorted by name (hidden files
 * such as .DS_Store skipped; not recursive), and folds duplicates across all of them.
 * Throws InputError for an unreadable, unrecognised or malformed file.
 */
export async function loadOrdersFile(file: string, opts: LoadOptions): Promise<LoadedOrders> {
  let isDir = false;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch (e) {
    throw new InputError(file, `cannot read: ${errorText(e)}`, undefined, { cause: e });
  }
  if (!isDir) {
    const one = await loadOne(file, opts);
    return { format: one.format, orders: one.orders, files: [one.info] };
  }

  let names: string[];
  try {
    names = (await readdir(file, { withFileTypes: true }))
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    throw new InputError(file, `cannot read: ${errorText(e)}`, undefined, { cause: e });
  }
  if (names.length === 0) throw new InputError(file, 'no orders files in this directory');

  const files: LoadedFile[] = [];
  const all: OrderFacts[] = [];
  for (const name of names) {
    const one = await loadOne(path.join(file, name), opts);
    files.push(one.info);
    all.push(...one.orders);
  }
  const formats = new Set(files.map((f) => f.format));
  return { format: formats.size === 1 ? files[0].format : 'mixed', orders: foldDuplicates(all), files };
}

async function loadOne(file: string, opts: LoadOptions): Promise<{ format: OrdersFileFormat; orders: OrderFacts[]; info: LoadedFile }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new InputError(file, `cannot read: ${errorText(e)}`, undefined, { cause: e });
  }
  const text = decode(bytes);
  const parsed = parseOrdersText(text, file, opts);
  const orders = foldDuplicates(parsed.orders);
  const info: LoadedFile = { file, format: parsed.format, orders: orders.length };
  if (parsed.nextToken) info.nextToken = parsed.nextToken;
  return { format: parsed.format, orders, info };
}

/**
 * Parse the content of an orders file, detecting the format. Exported for callers that already
 * hold the text (an S3 object, stdin).
 */
export function parseOrdersText(
  text: string,
  file: string,
  opts: LoadOptions,
): { format: OrdersFileFormat; orders: OrderFacts[]; nextToken?: string } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = body.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (e) {
      throw new InputError(file, `invalid JSON: ${errorText(e)}`, jsonErrorLine(body, e), { cause: e });
    }
    return parseSpApiOrders(json, file, { sellerId: opts.sellerId, sourceText: body });
  }
  const firstLine = body.split(/\r\n|\n|\r/, 1)[0] ?? '';
  if (isUnshippedReportHeader(firstLine)) {
    return { format: 'report', orders: parseUnshippedReport(body, file, opts) };
  }
  const preview = firstLine.length > 60 ? `${firstLine.slice(0, 60)}...` : firstLine;
  // A zip, a spreadsheet, an image: say so rather than echo mojibake.
  const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(body.slice(0, 512));
  const what = body.trim() === '' ? 'the file is empty' : binary ? 'the file is binary, not text (an .xlsx or .zip? save the report as tab-delimited text)' : `first line ${JSON.stringify(preview)}`;
  throw new InputError(
    file,
    `unrecognised orders file: expected an Unshipped Orders report (tab-delimited, header with order-id) ` +
      `or a saved SP-API Orders response (JSON); ${what}`,
  );
}

/** Fold facts about the same order into one, keeping the first-seen order of the list. */
export function foldDuplicates(orders: readonly OrderFacts[]): OrderFacts[] {
  const byKey = new Map<string, OrderFacts>();
  for (const o of orders) {
    const key = `${o.sellerId}\u0000${o.orderId}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? mergeFacts(seen, o) : o);
  }
  return [...byKey.values()];
}

/**
 * Decode file bytes. UTF-8 (with or without BOM) is the norm; a UTF-16 BOM (a report re-saved by
 * a spreadsheet as "Unicode text") is honoured. Other legacy encodings (windows-1252, Shift_JIS)
 * only affect product names and addresses, which we never read; the columns we use are ASCII.
 */
function decode(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
}

function errorText(e: unknown): string {
  // Not `instanceof Error`: errors from node:fs may come from another realm (e.g. under jest).
  const message = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(e);
}

/**
 * The line of a JSON.parse error. V8 reports "... at position N" (Node 20) and, from Node 22,
 * also "(line L column C)"; "Unexpected end of JSON input" has no position: the last line.
 */
function jsonErrorLine(text: string, e: unknown): number {
  const msg = errorText(e);
  const line = /\(line (\d+) column \d+\)/.exec(msg);
  if (line) return Number(line[1]);
  const pos = /at position (\d+)/.exec(msg);
  const offset = pos ? Math.min(Number(pos[1]), text.length) : text.trimEnd().length;
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
