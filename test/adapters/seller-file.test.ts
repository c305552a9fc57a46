import { readSellerFile } from '../../functions/adapters/seller-file';

describe('CSV', () => {
  test('header in any order and case, BOM, comments, quoted lists and other separators; the line of each row', () => {
    const text = [
      '\uFEFFName,ID,Marketplaces,alert-email,language,timezone',
      '# sellers of the Shenzhen office',
      '"Shenzhen Shop #1",A1,"US,DE",ops@a.example,zh-CN,Asia/Shanghai',
      '',
      'Berlin GmbH,A2,DE;FR|IT,,en,',
      '"Tokyo ""KK""",A3,JP,a@b.example;c@d.example,,Asia/Tokyo',
    ].join('\r\n');
    const f = readSellerFile('sellers.csv', text);
    expect(f.format).toBe('csv');
    expect(f.problems).toEqual([]);
    expect(f.rows).toEqual([
      { line: 3, values: { name: 'Shenzhen Shop #1', id: 'A1', marketplaces: 'US,DE', 'alert-email': ['ops@a.example'], language: 'zh-CN', timezone: 'Asia/Shanghai' } },
      { line: 5, values: { name: 'Berlin GmbH', id: 'A2', marketplaces: 'DE;FR|IT', language: 'en' } },
      { line: 6, values: { name: 'Tokyo "KK"', id: 'A3', marketplaces: 'JP', 'alert-email': ['a@b.example;c@d.example'], timezone: 'Asia/Tokyo' } },
    ]);
  });

  test('every malformed row is reported with its line, the good rows are still read', () => {
    const f = readSellerFile('s.csv', 'id,name,marketplaces\nA1,One,US\nA2,Two,US,EXTRA\nA3,Three\nA4,Four,DE\n');
    expect(f.problems).toEqual([
      { line: 3, message: 'expected 3 columns, got 4' },
      { line: 4, message: 'expected 3 columns, got 2' },
    ]);
    expect(f.rows.map((r) => [r.line, r.values.id])).toEqual([
      [2, 'A1'],
      [5, 'A4'],
    ]);
  });

  test('an unknown column names the accepted ones', () => {
    const f = readSellerFile('s.csv', 'id,name,marketplace\nA1,One,US\n');
    expect(f.rows).toEqual([]);
    expect(f.problems).toEqual([{ line: 1, message: "unknown column 'marketplace' (columns: id, name, marketplaces, alert-email, language, timezone)" }]);
  });

  test('a column given twice is refused (which one would count?)', () => {
    const f = readSellerFile('s.csv', 'id,name,marketplaces,Name\nA1,One,US,Uno\n');
    expect(f).toEqual({ format: 'csv', rows: [], problems: [{ line: 1, message: "column 'name' given more than once" }] });
  });

  test('an unclosed quote is reported, not thrown', () => {
    const f = readSellerFile('s.csv', 'id,name,marketplaces\nA1,"One,US\n');
    expect(f.problems).toHaveLength(1);
    expect(f.problems[0].message).toMatch(/quote/i);
  });
});

describe('JSON', () => {
  test('an array of objects: strings or lists, the line of each object', () => {
    const text = `[
  {"id": "A1", "name": "Shenzhen Shop", "marketplaces": ["US", "DE"], "alert-email": ["ops@a.example"], "language": "zh-CN"},
  {
    "id": "A2",
    "name": "Berlin GmbH",
    "marketplaces": "DE,FR",
    "timezone": "Europe/Berlin",
    "alert-email": null
  }
]`;
    const f = readSellerFile('sellers.json', text);
    expect(f.format).toBe('json');
    expect(f.problems).toEqual([]);
    expect(f.rows).toEqual([
      { line: 2, values: { id: 'A1', name: 'Shenzhen Shop', marketplaces: 'US,DE', 'alert-email': ['ops@a.example'], language: 'zh-CN' } },
      { line: 3, values: { id: 'A2', name: 'Berlin GmbH', marketplaces: 'DE,FR', timezone: 'Europe/Berlin' } },
    ]);
  });

  test('detected by content without a .json name; unknown fields, wrong types and non-objects are reported per element', () => {
    const text = '[\n{"id":"A1","name":"One","marketplaces":"US","timeZone":"Asia/Shanghai"},\n{"id":7,"name":"Two","marketplaces":"US"},\n"A3",\n{"id":"A4","name":"Four","marketplaces":"JP"}\n]';
    const f = readSellerFile('-', text);
    expect(f.format).toBe('json');
    expect(f.problems).toEqual([
      { line: 2, message: "unknown field 'timeZone' (fields: id, name, marketplaces, alert-email, language, timezone)" },
      { line: 3, message: 'id must be a string' },
      { line: 4, message: 'expected an object, got string' },
    ]);
    expect(f.rows.map((r) => r.line)).toEqual([5]);
    expect(readSellerFile('s.json', '[{"id": "A1", "name": "One", "id": "A2", "marketplaces": "US"}]').problems).toEqual([{ line: 1, message: "field 'id' given more than once" }]);
  });

  test('a syntax error names its line; not an array is said so', () => {
    const broken = readSellerFile('s.json', '[\n{"id": "A1", "name": "One"\n{"id": "A2"}\n]');
    expect(broken.rows).toEqual([]);
    expect(broken.problems[0]).toEqual({ line: 3, message: 'invalid JSON: CommaExpected' });
    expect(readSellerFile('s.json', '{"id": "A1"}').problems).toEqual([{ line: 1, message: expect.stringMatching(/expected a JSON array of sellers/) }]);
  });
});
