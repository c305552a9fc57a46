/**
 * The file of `shipnow seller add --from FILE`: many sellers, as CSV (csv-parse) or JSON
 * (jsonc-parser, for the line of each element), read into rows with their line numbers. Every
 * problem is collected, none stops the reading, so one run reports every bad row.
 *
 * CSV: a header row naming the columns (the flags of `seller add`: id, name, marketplaces,
 * alert-email, language, timezone; any order, case-insensitive), then one seller per row; `#`
 * at the start of a line is a comment; a UTF-8 BOM (Excel) is ignored; marketplaces and
 * alert-email may list several values separated by `,` (quoted), `;`, `|` or spaces.
 * JSON: an array of objects with the same field names; `marketplaces` and `alert-email` may be a
 * string or an array of strings.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { SELLER_FIELDS, type SellerField, type SellerFieldValues, type SellerRow } from '../domain/seller-input';

export interface FileProblem {
  /** Absent when the problem is the whole file. */
  line?: number;
  message: string;
}

export interface SellerFile {
  format: 'csv' | 'json';
  rows: SellerRow[];
  problems: FileProblem[];
}

const LIST_FIELDS: ReadonlySet<SellerField> = new Set<SellerField>(['marketplaces', 'alert-email']);
const ACCEPTED = SELLER_FIELDS.join(', ');

/** JSON when the name ends in `.json` or the content starts with `[` / `{`; else CSV. */
export function readSellerFile(name: string, text: string): SellerFile {
  const body = text.replace(/^\uFEFF/, '');
  const json = /\.json$/i.test(name) || (!/\.csv$/i.test(name) && /^\s*[[{]/.test(body));
  return json ? readJson(body) : readCsv(body);
}

function readCsv(text: string): SellerFile {
  const problems: FileProblem[] = [];
  const rows: SellerRow[] = [];
  let unknownColumns: string[] = [];
  let repeatedColumns: string[] = [];
  let records: Array<{ record: Record<string, string>; info: { lines: number } }> = [];
  try {
    records = parseCsv(text, {
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim().toLowerCase());
        unknownColumns = names.filter((h) => !(SELLER_FIELDS as readonly string[]).includes(h));
        repeatedColumns = [...new Set(names.filter((h, i) => names.indexOf(h) !== i))];
        return names;
      },
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) problems.push({ ...(typeof err.lines === 'number' ? { line: err.lines } : {}), message: csvMessage(err.message) });
        return undefined;
      },
    }) as typeof records;
  } catch (e) {
    // Errors skip_records_with_error does not cover (e.g. a bad header): the whole file.
    const err = e as Error & { lines?: number };
    return { format: 'csv', rows: [], problems: [{ ...(err.lines ? { line: err.lines } : {}), message: csvMessage(err.message) }] };
  }
  const headerProblems: string[] = [];
  if (unknownColumns.length > 0) headerProblems.push(`unknown column${unknownColumns.length > 1 ? 's' : ''} ${unknownColumns.map((c) => `'${c}'`).join(', ')} (columns: ${ACCEPTED})`);
  if (repeatedColumns.length > 0) headerProblems.push(`column${repeatedColumns.length > 1 ? 's' : ''} ${repeatedColumns.map((c) => `'${c}'`).join(', ')} given more than once`);
  if (headerProblems.length > 0) return { format: 'csv', rows: [], problems: [{ line: 1, message: headerProblems.join('; ') }] };
  for (const { record, info } of records) {
    const values: SellerFieldValues = {};
    for (const [k, v] of Object.entries(record)) {
      const field = k as SellerField;
      if (v === '') continue;
      if (field === 'alert-email') values[field] = [v];
      else values[field] = v;
    }
    rows.push({ line: info.lines, values });
  }
  return { format: 'csv', rows, problems: onePerLine(problems) };
}

/** csv-parse says `... on line 4` / `at line 5 ...`; the line is reported separately. */
function csvMessage(message: string): string {
  return message.replace(/\s+(on|at) line \d+/, '').replace(/^Invalid Record Length: columns length is (\d+), got (\d+)$/, 'expected $1 columns, got $2');
}

function readJson(text: string): SellerFile {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const lineOf = lineIndex(text);
  if (errors.length > 0 || !root) {
    return {
      format: 'json',
      rows: [],
      problems: errors.length > 0
        ? errors.map((e) => ({ line: lineOf(e.offset), message: `invalid JSON: ${printParseErrorCode(e.error)}` }))
        : [{ message: 'empty file' }],
    };
  }
  if (root.type !== 'array') return { format: 'json', rows: [], problems: [{ line: lineOf(root.offset), message: 'expected a JSON array of sellers ([{"id": ..., "name": ..., "marketplaces": ...}, ...])' }] };
  const rows: SellerRow[] = [];
  const problems: FileProblem[] = [];
  for (const element of root.children ?? []) {
    const line = lineOf(element.offset);
    if (element.type !== 'object') {
      problems.push({ line, message: `expected an object, got ${element.type}` });
      continue;
    }
    const r = jsonRow(element);
    if (r.problems.length > 0) problems.push(...r.problems.map((message) => ({ line, message })));
    else rows.push({ line, values: r.values });
  }
  return { format: 'json', rows, problems };
}

function jsonRow(node: Node): { values: SellerFieldValues; problems: string[] } {
  const values: SellerFieldValues = {};
  const problems: string[] = [];
  const seen = new Set<SellerField>();
  for (const prop of node.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    const key = String(keyNode?.value ?? '');
    if (!(SELLER_FIELDS as readonly string[]).includes(key)) {
      problems.push(`unknown field '${key}' (fields: ${ACCEPTED})`);
      continue;
    }
    const field = key as SellerField;
    if (seen.has(field)) {
      problems.push(`field '${key}' given more than once`);
      continue;
    }
    seen.add(field);
    const value: unknown = valueNode ? getNodeValue(valueNode) : undefined;
    if (value === null || value === undefined) continue;
    if (LIST_FIELDS.has(field) && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      if (field === 'alert-email') values[field] = value as string[];
      else values.marketplaces = (value as string[]).join(',');
    } else if (typeof value === 'string') {
      if (field === 'alert-email') values[field] = [value];
      else values[field] = value;
    } else {
      problems.push(`${field} must be a string${LIST_FIELDS.has(field) ? ' or an array of strings' : ''}`);
    }
  }
  return { values, problems };
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function onePerLine(problems: FileProblem[]): FileProblem[] {
  const seen = new Set<number | undefined>();
  return problems.filter((p) => (seen.has(p.line) ? false : (seen.add(p.line), true)));
}
