/**
 * A local endpoint for the AWS services that speak the JSON protocol and have no local stand-in
 * among the dev dependencies (SQS, Secrets Manager, EventBridge): a real HTTP server on
 * 127.0.0.1 that records every request (its X-Amz-Target and JSON body) and answers each
 * operation with what the test's responder returns. A deployed bundle is pointed at it through
 * the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, so the bundle itself is unchanged; tests
 * assert the exact requests it sent.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsJsonRequest {
  /** `AmazonSQS.SendMessageBatch`, `secretsmanager.GetSecretValue`, `AWSEvents.PutEvents`, ... */
  target: string;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type AwsJsonResponder = (request: AwsJsonRequest) => { status?: number; body: unknown } | undefined;

/** What the real services answer for the operations the functions use, when the test says nothing else. */
export function defaultAwsJsonAnswer(r: AwsJsonRequest): { status?: number; body: unknown } | undefined {
  switch (r.target) {
    case 'AmazonSQS.SendMessageBatch':
      return {
        body: {
          Successful: (r.body.Entries as Array<{ Id: string; MessageBody: string }>).map((e, i) => ({
            Id: e.Id,
            MessageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
          })),
          Failed: [],
        },
      };
    case 'AWSEvents.PutEvents':
      return { body: { FailedEntryCount: 0, Entries: (r.body.Entries as unknown[]).map((_, i) => ({ EventId: `event-${i}` })) } };
    default:
      return undefined;
  }
}

export interface AwsJsonFake {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  requests: AwsJsonRequest[];
  close(): Promise<void>;
}

export async function startAwsJsonFake(responder: AwsJsonResponder = () => undefined): Promise<AwsJsonFake> {
  const requests: AwsJsonRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: AwsJsonRequest = { target: String(req.headers['x-amz-target'] ?? ''), body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
      requests.push(request);
      const answer = responder(request) ?? defaultAwsJsonAnswer(request);
      const contentType = request.target.startsWith('AmazonSQS.') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
      if (!answer) {
        res.writeHead(400, { 'content-type': contentType });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `no answer for ${request.target}` }));
        return;
      }
      res.writeHead(answer.status ?? 200, { 'content-type': contentType, 'x-amzn-requestid': `req-${requests.length}` });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
