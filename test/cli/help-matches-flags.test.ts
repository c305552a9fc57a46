/**
 * The help records (functions/local/help.ts) and the flags the commands really parse cannot drift
 * apart: every command is run once in process with a flag nobody accepts, which records the
 * options it parses with (parseFlags keeps them by topic), and each record is compared with that,
 * both ways: a flag added to a command without its help, or help for a flag no command takes,
 * fails with the difference. Usage lines and examples may only use flags the command takes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../../functions/local/cli';
import { HELP, documentedFlags, helpTopic, parsedFlags } from '../../functions/local/help';

const SOURCES = join(__dirname, '..', '..', 'functions', 'local');

/** Records that are one command (not a group of them). */
const COMMANDS = Object.keys(HELP).filter((t) => !HELP[t].subcommands);

/** Commands that parse their flags in more than one way: the leading arguments that take each other way. */
const OTHER_WAYS: Record<string, string[][]> = {
  'seller add': [['--from', 'sellers.csv']],
};

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

/** Where the code parses flags for a topic, from the source: `parseFlags('seller list', ...)`, `parse('seller update', ...)`. */
function parseCallSites(): Map<string, number> {
  const sites = new Map<string, number>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const file of walk(SOURCES)) {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/\b(?:parseFlags|parse)\(\s*'([^']+)'/g)) sites.set(m[1], (sites.get(m[1]) ?? 0) + 1);
  }
  return sites;
}

/** `shipnow seller add --name "Shenzhen Demo"` -> ['seller', 'add', '--name', 'Shenzhen Demo'] (env assignments before it dropped). */
function words(example: string): string[] | undefined {
  const w = [...example.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  while (w.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(w[0])) w.shift();
  return w[0] === 'shipnow' ? w.slice(1) : undefined;
}

beforeAll(async () => {
  for (const topic of COMMANDS) {
    for (const lead of [[], ...(OTHER_WAYS[topic] ?? [])]) {
      const c = capture();
      const code = await main([...topic.split(' '), ...lead, '--no-such-flag'], c.io);
      // Refused at the parser: nothing was opened or read.
      if (code !== 2 || !/unknown option '--no-such-flag'/.test(c.err.join('\n'))) {
        throw new Error(`shipnow ${topic} ${lead.join(' ')} --no-such-flag: exit ${code}, ${JSON.stringify(c.err)}`);
      }
    }
  }
});

describe('help records and parsers agree', () => {
  test('every command parses its flags under a topic that has a help record, and every record is a command that does', () => {
    const parsed = [...parsedFlags().keys()].sort();
    expect(parsed).toEqual([...COMMANDS].sort());
    const sites = parseCallSites();
    expect([...sites.keys()].filter((t) => !HELP[t] || HELP[t].subcommands)).toEqual([]);
    // A topic parsed in several places must be run in each of those ways above (OTHER_WAYS).
    const ways = (t: string) => parsedFlags().get(t)?.ways.size ?? 0;
    const unexercised = [...sites].filter(([t, n]) => ways(t) < n).map(([t, n]) => `${t}: ${n} parse calls, ${ways(t)} run here (add the others to OTHER_WAYS)`);
    expect(unexercised).toEqual([]);
  });

  test.each(COMMANDS)('shipnow %s: the flags it accepts are exactly the flags its help documents', (topic) => {
    const parsed = parsedFlags().get(topic);
    expect(parsed).toBeDefined();
    const options = parsed!.options;
    const documented = documentedFlags(topic);
    const accepted = Object.keys(options);
    const problems: string[] = [];
    for (const f of accepted) if (!documented.has(f)) problems.push(`--${f} is accepted but not in the help`);
    for (const f of documented.keys()) if (!(f in options)) problems.push(`--${f} is in the help but not accepted`);
    for (const f of accepted) {
      const d = documented.get(f);
      if (!d) continue;
      const takesValue = options[f].type === 'string';
      if (d.value !== takesValue) problems.push(`${d.form}: the help says it ${d.value ? 'takes' : 'takes no'} value, the parser ${takesValue ? 'wants one' : 'takes none'}`);
      if (options[f].multiple && !/repeatable/.test(d.text)) problems.push(`${d.form} may be given several times: its help should say "repeatable"`);
      if (!options[f].multiple && /repeatable/.test(d.text)) problems.push(`${d.form} is said to be repeatable but is not`);
    }
    expect(problems).toEqual([]);
  });

  test.each(COMMANDS)('shipnow %s: usage names arguments exactly when the command takes them, and only flags it accepts', (topic) => {
    const { options, positionals } = parsedFlags().get(topic)!;
    const r = HELP[topic];
    for (const usage of r.usage) {
      const rest = usage.split(' ').slice(1 + topic.split(' ').length).filter((w) => w !== '[flags]');
      // parse FILE..., mail replay MESSAGE_ID, orders import FILE: a bare upper-case word right after the command.
      expect({ usage, argument: /^[A-Z][A-Z_]*(\.\.\.)?$/.test(rest[0] ?? '') }).toEqual({ usage, argument: positionals });
      const unknown = [...usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]).filter((f) => !(f in options));
      expect({ usage, unknown }).toEqual({ usage, unknown: [] });
    }
  });

  test.each(Object.keys(HELP))('shipnow %s: its examples are commands the parser accepts', (topic) => {
    for (const example of HELP[topic].examples) {
      const w = words(example);
      if (!w) {
        expect(example).toMatch(/^npm (start|run|test)\b/);
        continue;
      }
      const target = helpTopic(w[0], w.slice(1));
      const parsed = parsedFlags().get(target);
      expect({ example, command: target, known: parsed !== undefined }).toEqual({ example, command: target, known: true });
      const args = w.slice(target.split(' ').length);
      // A real command line, not a synopsis: no [optional] parts.
      expect({ example, synopsis: args.filter((a) => a.startsWith('[') || a.endsWith(']')) }).toEqual({ example, synopsis: [] });
      expect(() => parseArgs({ args, options: parsed!.options, allowPositionals: parsed!.positionals, strict: true })).not.toThrow();
    }
  });
});

describe('the examples in the help run', () => {
  // In this order, one after the other on one embedded store, from a folder holding the files they
  // name; each must exit 0. Examples against a deployed table (--table) or a real bot are left out.
  const CHAIN = [
    'seller add',
    'seller list',
    'seller update',
    'seller channels set',
    'seller channels list',
    'seller channels remove',
    'orders import',
    'mail receive',
    'mail rejected',
    'mail backfill-unmatched',
    'alerts channels',
    'alerts ack',
    'report weekly',
    'seller remove',
  ];
  const ROOT = join(__dirname, '..', '..');
  let dir: string;
  const saved = { cwd: process.cwd(), data: process.env.SHIPNOW_DATA_DIR };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipnow-help-examples-'));
    mkdirSync(join(dir, 'examples', 'mail'), { recursive: true });
    copyFileSync(join(ROOT, 'examples', 'mail', 'us-sold-ship-now.eml'), join(dir, 'examples', 'mail', 'us-sold-ship-now.eml'));
    copyFileSync(join(ROOT, 'examples', 'orders', 'unshipped-orders.txt'), join(dir, 'unshipped.txt'));
    writeFileSync(join(dir, 'sellers.csv'), 'id,name,marketplaces,language,timezone\nB2SHOP,Berlin GmbH,DE;FR,en,Europe/Berlin\n');
    process.chdir(dir);
    process.env.SHIPNOW_DATA_DIR = join(dir, 'data');
  });
  afterAll(() => {
    process.chdir(saved.cwd);
    if (saved.data === undefined) delete process.env.SHIPNOW_DATA_DIR;
    else process.env.SHIPNOW_DATA_DIR = saved.data;
    rmSync(dir, { recursive: true, force: true });
  });

  test('every command that works on the embedded store is in the chain', () => {
    const local = COMMANDS.filter((t) => HELP[t].examples.some((e) => !e.includes('--table')));
    // serve runs until interrupted: test/web/serve-command.test.ts starts and stops it.
    // The mailbox commands need a real IMAP server: test/local/mailbox-commands.test.ts runs them against Dovecot.
    const imap = ['mailbox connect', 'mailbox test', 'mailbox probe', 'mailbox poll', 'mailbox disconnect'];
    expect(local.filter((t) => !CHAIN.includes(t)).sort()).toEqual(['check', 'demo', 'parse', 'seller channels test', 'serve', ...imap].sort());
  });

  test.each(CHAIN)('shipnow %s: its examples exit 0', async (topic) => {
    const examples = HELP[topic].examples.filter((e) => !e.includes('--table'));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const c = capture();
      const code = await main(words(example)!, c.io);
      expect({ example, code, err: c.err }).toEqual({ example, code: 0, err: expect.any(Array) });
    }
  });
});

test('the parse and check examples run from the repository root (the shell glob expanded)', async () => {
  const root = join(__dirname, '..', '..');
  const saved = process.cwd();
  process.chdir(root);
  try {
    const expand = (w: string[]) =>
      w.flatMap((a) => {
        const m = /^(.*)\/\*(\.\w+)$/.exec(a);
        return m ? readdirSync(m[1]).filter((f) => f.endsWith(m[2])).sort().map((f) => `${m[1]}/${f}`) : [a];
      });
    // check: the bundled examples have a missing order on purpose (exit 1 is its "found one").
    for (const [topic, expected] of [['parse', 0], ['check', 1]] as const) {
      for (const example of HELP[topic].examples) {
        const c = capture();
        expect({ example, code: await main(expand(words(example)!), c.io) }).toEqual({ example, code: expected });
      }
    }
  } finally {
    process.chdir(saved);
  }
});
