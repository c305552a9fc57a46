/**
 * Each channel's exact request: webhooks against a local node:http server started here that
 * checks the payload and the signature (DingTalk, Feishu) the way the vendors do; SES against
 * aws-ses-v2-local started here (reading what it received from GET /store); SNS and EventBridge
 * with aws-sdk-client-mock (exact command input).
 */
import { createHmac } from 'node:crypto';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ALERT_EVENT_DETAIL_TYPE,
  ALERT_EVENT_SOURCE,
  EventBridgeAlertPublisher,
  SesEmailChannel,
  SnsChannel,
  snsSubject,
} from '../../functions/adapters/channels/aws';
import {
  DingTalkChannel,
  FeishuChannel,
  JsonWebhookChannel,
  SlackChannel,
  WeComChannel,
  dingtalkSign,
  feishuSign,
} from '../../functions/adapters/channels/webhooks';
import { renderAlert } from '../../functions/domain/alert-message';
import { type OutgoingMessage } from '../../functions/domain/ports';
import { PermanentChannelError, TransientChannelError } from '../../functions/domain/errors';
import { DEFAULT_ALERT_SETTINGS } from '../../functions/domain/alert-settings';
import { type Alert } from '../../functions/domain/alert-model';
import { MISSING_ALERT } from '../support/alert-fixtures';
import { sendJson, startWebhookServer, type ReceivedRequest, type WebhookServer } from '../support/local-servers';

const NOW = '2026-11-28T12:00:00.000Z';
const NOW_MS = Date.parse(NOW);
const ALERT: Alert = { ...MISSING_ALERT };
const MESSAGE: OutgoingMessage = { sellerId: 's1', alerts: [ALERT], message: renderAlert(ALERT, DEFAULT_ALERT_SETTINGS, NOW) };

// ---- a local webhook server --------------------------------------------------------------------

type Received = ReceivedRequest;
type Responder = (r: Received, res: ServerResponse) => void;

let bot: WebhookServer;
let base: string;
let received: Received[];
let respond: Responder;

beforeAll(async () => {
  bot = await startWebhookServer((r, res) => {
    received.push(r);
    respond(r, res);
  });
  base = bot.base;
});
afterAll(() => bot.close());
beforeEach(() => {
  received = [];
  respond = (_r, res) => json(res, 200, { errcode: 0, errmsg: 'ok' });
});

const json = sendJson;

const opts = { nowMs: () => NOW_MS, timeoutMs: 2000 };

describe('DingTalk (signed)', () => {
  const SECRET = 'SECtest0123456789';

  test('timestamp (ms) and sign = base64(HMAC-SHA256(secret, "timestamp\\nsecret")) in the URL; markdown body', async () => {
    respond = (r, res) => {
      // Verify as DingTalk does: recompute from the timestamp and the shared secret.
      const ts = r.query.get('timestamp')!;
      const expected = createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
      const fresh = Math.abs(Number(ts) - NOW_MS) < 3_600_000;
      json(res, 200, r.query.get('sign') === expected && fresh ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' });
    };
    await new DingTalkChannel('dt', `${base}/robot/send?access_token=abc`, SECRET, opts).send(MESSAGE);
    const [r] = received;
    expect(r.path).toBe('/robot/send');
    expect(r.query.get('access_token')).toBe('abc');
    expect(r.query.get('timestamp')).toBe(String(NOW_MS));
    expect(r.query.get('sign')).toBe(dingtalkSign(SECRET, NOW_MS));
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.body).toEqual({ msgtype: 'markdown', markdown: { title: MESSAGE.message.subject.slice(0, 64), text: MESSAGE.message.markdown } });
  });

  test('a wrong secret is a permanent failure (the bot answers 200 with an error code)', async () => {
    respond = (_r, res) => json(res, 200, { errcode: 310000, errmsg: 'sign not match' });
    await expect(new DingTalkChannel('dt', `${base}/robot/send`, 'wrong', opts).send(MESSAGE)).rejects.toBeInstanceOf(PermanentChannelError);
  });

  test('"send too fast" (130101) is transient', async () => {
    respond = (_r, res) => json(res, 200, { errcode: 130101, errmsg: 'send too fast' });
    await expect(new DingTalkChannel('dt', `${base}/robot/send`, undefined, opts).send(MESSAGE)).rejects.toBeInstanceOf(TransientChannelError);
  });
});

describe('Feishu / Lark (signed)', () => {
  const SECRET = 'feishu-secret';

  test('timestamp (seconds) and sign = base64(HMAC-SHA256(key "timestamp\\nsecret", empty message)) in the body', async () => {
    respond = (r, res) => {
      const ts = String(r.body.timestamp);
      const expected = createHmac('sha256', `${ts}\n${SECRET}`).update('').digest('base64');
      json(res, 200, r.body.sign === expected ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
    };
    await new FeishuChannel('fs', `${base}/open-apis/bot/v2/hook/xyz`, SECRET, opts).send(MESSAGE);
    const [r] = received;
    expect(r.path).toBe('/open-apis/bot/v2/hook/xyz');
    expect(r.body).toEqual({
      timestamp: String(NOW_MS / 1000),
      sign: feishuSign(SECRET, NOW_MS / 1000),
      msg_type: 'text',
      content: { text: `${MESSAGE.message.subject}\n\n${MESSAGE.message.text}` },
    });
  });

  test('signature mismatch -> permanent; frequency limit (11232) -> transient', async () => {
    respond = (_r, res) => json(res, 200, { code: 19021, msg: 'sign match fail' });
    await expect(new FeishuChannel('fs', `${base}/h`, 'wrong', opts).send(MESSAGE)).rejects.toBeInstanceOf(PermanentChannelError);
    respond = (_r, res) => json(res, 200, { code: 11232, msg: 'frequency limited' });
    await expect(new FeishuChannel('fs', `${base}/h`, SECRET, opts).send(MESSAGE)).rejects.toBeInstanceOf(TransientChannelError);
  });
});

test('WeCom group bot: markdown content within 4096 bytes; 45009 (frequency) is transient', async () => {
  await new WeComChannel('wc', `${base}/cgi-bin/webhook/send?key=k1`, opts).send(MESSAGE);
  const [r] = received;
  expect(r.query.get('key')).toBe('k1');
  expect(r.body).toEqual({ msgtype: 'markdown', markdown: { content: `**${MESSAGE.message.subject}**\n${MESSAGE.message.markdown}` } });
  expect(Buffer.byteLength((r.body.markdown as { content: string }).content)).toBeLessThanOrEqual(4096);

  const long: OutgoingMessage = { ...MESSAGE, message: { ...MESSAGE.message, markdown: '订'.repeat(3000) } };
  await new WeComChannel('wc', `${base}/w`, opts).send(long);
  expect(Buffer.byteLength((received[1].body.markdown as { content: string }).content)).toBeLessThanOrEqual(4096);

  respond = (_r, res) => json(res, 200, { errcode: 45009, errmsg: 'api freq out of limit' });
  await expect(new WeComChannel('wc', `${base}/w`, opts).send(MESSAGE)).rejects.toBeInstanceOf(TransientChannelError);
  respond = (_r, res) => json(res, 200, { errcode: 93000, errmsg: 'invalid webhook url' });
  await expect(new WeComChannel('wc', `${base}/w`, opts).send(MESSAGE)).rejects.toBeInstanceOf(PermanentChannelError);
});

test('Slack incoming webhook: text; 404 no_service is permanent, 500 transient', async () => {
  respond = (_r, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  };
  await new SlackChannel('sl', `${base}/services/T/B/X`, opts).send(MESSAGE);
  expect(received[0].body).toEqual({ text: `${MESSAGE.message.subject}\n\n${MESSAGE.message.markdown}` });
  respond = (_r, res) => {
    res.writeHead(404);
    res.end('no_service');
  };
  await expect(new SlackChannel('sl', `${base}/s`, opts).send(MESSAGE)).rejects.toBeInstanceOf(PermanentChannelError);
  respond = (_r, res) => {
    res.writeHead(500);
    res.end('boom');
  };
  await expect(new SlackChannel('sl', `${base}/s`, opts).send(MESSAGE)).rejects.toBeInstanceOf(TransientChannelError);
});

test('plain JSON webhook: the alerts and the rendered message', async () => {
  await new JsonWebhookChannel('js', `${base}/hook`, opts).send(MESSAGE);
  expect(received[0].body).toEqual({
    type: 'shipnow.sentinel.alerts',
    version: 1,
    sellerId: 's1',
    alerts: [ALERT],
    message: { subject: MESSAGE.message.subject, text: MESSAGE.message.text },
  });
});

test('an unreachable webhook is transient', async () => {
  await expect(new JsonWebhookChannel('js', 'http://127.0.0.1:1/hook', opts).send(MESSAGE)).rejects.toBeInstanceOf(TransientChannelError);
});

// ---- SES against aws-ses-v2-local --------------------------------------------------------------

describe('SES email (aws-ses-v2-local)', () => {
  let ses: Server;
  let endpoint: string;
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const start = (require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> }).default;
    ses = await start({ host: '127.0.0.1', port: 0 });
    endpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    ses.closeAllConnections();
    await new Promise((r) => ses.close(r));
  });

  test('sends both languages to the backup addresses, UTF-8; the server received exactly that', async () => {
    await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    const client = new SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await new SesEmailChannel('mail', client, 'alerts@shipnow.example', ['backup@example.cn', 'ops@example.com'], 'sentinel-alerts').send(MESSAGE);
    client.destroy();
    const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: Array<{ from: string; destination: { to: string[] }; subject: string; body: { text?: string } }> };
    expect(store.emails).toHaveLength(1);
    const [mail] = store.emails;
    expect(mail.from).toBe('alerts@shipnow.example');
    expect(mail.destination.to).toEqual(['backup@example.cn', 'ops@example.com']);
    expect(mail.subject).toBe(MESSAGE.message.subject);
    expect(mail.body.text).toBe(MESSAGE.message.text);
    expect(mail.body.text).toContain('未收到「Sold, Ship Now」邮件');
    expect(mail.body.text).toContain('Sold, Ship Now email missing');
  });
});

// ---- SNS and EventBridge: exact requests ---------------------------------------------------------

test('SNS: ASCII subject under 100 characters, the full text as the message', async () => {
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  await new SnsChannel('topic', new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:alerts').send(MESSAGE);
  const input = sns.commandCalls(PublishCommand)[0].args[0].input;
  expect(input).toEqual({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts', Subject: snsSubject(MESSAGE.message.subject), Message: MESSAGE.message.text });
  expect(input.Subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  sns.restore();
});

test('SNS throttling is transient, an authorization error permanent', async () => {
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
  const ch = new SnsChannel('topic', new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:123456789012:alerts');
  await expect(ch.send(MESSAGE)).rejects.toBeInstanceOf(TransientChannelError);
  sns.reset();
  sns.on(PublishCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationErrorException', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
  await expect(ch.send(MESSAGE)).rejects.toBeInstanceOf(PermanentChannelError);
  sns.restore();
});

test('EventBridge: every alert, 10 per PutEvents, with the documented source, detail-type and detail', async () => {
  const eb = mockClient(EventBridgeClient);
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  const alerts = Array.from({ length: 12 }, (_, i) => ({ ...ALERT, alertId: `a:${i}` }));
  await new EventBridgeAlertPublisher(new EventBridgeClient({ region: 'us-east-1' }), 'sentinel-bus').publish(alerts);
  const calls = eb.commandCalls(PutEventsCommand);
  expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
  expect(calls[0].args[0].input.Entries?.[0]).toEqual({
    EventBusName: 'sentinel-bus',
    Source: ALERT_EVENT_SOURCE,
    DetailType: ALERT_EVENT_DETAIL_TYPE,
    Time: new Date(NOW),
    Resources: [],
    Detail: JSON.stringify({ schemaVersion: 1, alert: alerts[0] }),
  });
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
  await expect(new EventBridgeAlertPublisher(new EventBridgeClient({ region: 'us-east-1' }), 'b').publish([ALERT])).rejects.toBeInstanceOf(TransientChannelError);
  eb.restore();
});

describe('a webhook that hangs', () => {
  test("the sender's abort ends the attempt at once (a transient failure), long before the channel's own timeout", async () => {
    respond = () => undefined; // never answers
    const controller = new AbortController();
    const started = Date.now();
    const attempt = new SlackChannel('slack', `${base}/hang`, { ...opts, timeoutMs: 30_000 }).send(MESSAGE, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('attempt timeout')), 50);
    await expect(attempt).rejects.toBeInstanceOf(TransientChannelError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(received).toHaveLength(1);
  });
});
