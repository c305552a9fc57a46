/**
 * Local stand-ins used by several suites: an HTTP server playing a chat bot or webhook (it parses
 * each JSON request and hands it to the test's responder), and the fake AWS credentials and region
 * a suite needs while it talks to a local DynamoDB through the SDK's usual environment.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface WebhookServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  close(): Promise<void>;
}

export async function startWebhookServer(onRequest: (r: ReceivedRequest, res: ServerResponse) => void): Promise<WebhookServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      onRequest({ path: url.pathname, query: url.searchParams, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** For the suite: fake credentials and a region in process.env (the SDK reads them), restored after. */
export function useLocalAwsEnv(): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

/** aws-ses-v2-local on a free port: what it received is at `GET <endpoint>/store`. */
export async function startLocalSes(): Promise<{ endpoint: string; emails(): Promise<LocalSesEmail[]>; clear(): Promise<void>; close(): Promise<void> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const start = (require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> }).default;
  const ses = await start({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  return {
    endpoint,
    emails: async () => ((await (await fetch(`${endpoint}/store`)).json()) as { emails: LocalSesEmail[] }).emails,
    clear: async () => void (await fetch(`${endpoint}/clear-store`, { method: 'POST' })),
    close: async () => {
      ses.closeAllConnections();
      await new Promise((r) => ses.close(r));
    },
  };
}

export interface LocalSesEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments?: Array<{ filename?: string; contentType?: string; content?: string }>;
}
