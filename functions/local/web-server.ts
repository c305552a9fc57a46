/**
 * The seller web on the local machine (`shipnow serve`, the browser tests): node:http in front of
 * the same request handler as the Lambda Function URL (functions/web/app.ts), and an inbox folder
 * that stands in for SES: a raw email dropped into `<data>/inbox/` is taken in through the same
 * intake service as mail SES stores in S3, then removed from the inbox.
 */
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { IntakeDeps, IntakeResult } from '../services/intake';
import { intakeStoredMessage } from './folder-intake';
import type { WebHandler, WebRequest } from '../web/app';
import { contentId } from './mail-folder';

/** Largest request body read (a form carries two tokens). */
const MAX_BODY_BYTES = 16 * 1024;

export interface LocalWebServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startWebServer(handler: WebHandler, opts: { host?: string; port?: number } = {}): Promise<LocalWebServer> {
  const server = createServer((req, res) => {
    toWebRequest(req)
      .then((webReq) => (webReq ? handler(webReq) : { status: 413, headers: { 'content-type': 'text/plain' }, body: 'request too large' }))
      .then((out) => {
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      })
      .catch((err: unknown) => {
        // A bug: logged with its stack, answered 500 (a Lambda would throw; here the server must live on).
        process.stderr.write(`shipnow serve: ${req.method} ${req.url?.split('?')[0]}: ${(err as Error).stack ?? String(err)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function toWebRequest(req: IncomingMessage): Promise<WebRequest | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  const host = req.headers.host ?? '127.0.0.1';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: Buffer.concat(chunks).toString('utf8'),
    sourceIp: req.socket.remoteAddress ?? 'unknown',
    origin: url.origin,
  };
}

export interface InboxWatcher {
  /** Take in what is in the inbox now (the timer calls it too). */
  scan(): Promise<Array<{ file: string; result: IntakeResult }>>;
  stop(): void;
}

/**
 * Every `intervalMs`, each file in `inboxDir` is moved into the mail folder under its content ID
 * (as SES stores a message under its ID) and taken in by the intake service; a file that cannot
 * be read stays for the next scan.
 */
export function watchInbox(inboxDir: string, mailDir: string, deps: IntakeDeps, opts: { intervalMs?: number; now?: () => Date; onResult?: (file: string, r: IntakeResult) => void } = {}): InboxWatcher {
  let running: Promise<Array<{ file: string; result: IntakeResult }>> | undefined;
  const now = opts.now ?? (() => new Date());
  const once = async () => {
    await mkdir(inboxDir, { recursive: true });
    await mkdir(mailDir, { recursive: true });
    const out: Array<{ file: string; result: IntakeResult }> = [];
    for (const name of (await readdir(inboxDir)).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(inboxDir, name);
      const raw = await readFile(path);
      const messageId = contentId(raw);
      await rename(path, join(mailDir, messageId));
      const at = now();
      const result = await intakeStoredMessage(deps, messageId, raw.length, at);
      opts.onResult?.(name, result);
      out.push({ file: name, result });
    }
    return out;
  };
  const scan = () => (running ??= once().finally(() => (running = undefined)));
  const timer = setInterval(() => {
    scan().catch((err: unknown) => process.stderr.write(`shipnow serve: inbox: ${(err as Error).message}\n`));
  }, opts.intervalMs ?? 1000);
  timer.unref();
  return { scan, stop: () => clearInterval(timer) };
}
