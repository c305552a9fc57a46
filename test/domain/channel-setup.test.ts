import { ChannelConfigSchema, type ChannelConfig } from '../../functions/domain/alert-settings';
import { channelSetupProblems, channelTarget, channelTestMessage, maskSecret, maskUrl, maskedChannel } from '../../functions/domain/channel-setup';

const channel = (c: Record<string, unknown>): ChannelConfig => ChannelConfigSchema.parse(c);
const problems = (c: Record<string, unknown>, anyUrl = false) => channelSetupProblems(channel(c), { anyUrl }).map((p) => `${p.field}: ${p.message}`);

describe('bot URL shapes', () => {
  test.each([
    ['dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=6f1b7c0e9d'],
    ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7f2e-4bc4-97a0-0ec2a1fa5aaa'],
    ['feishu', 'https://open.feishu.cn/open-apis/bot/v2/hook/0f8e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b'],
    ['feishu', 'https://open.larksuite.com/open-apis/bot/v2/hook/0f8e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b'],
    ['slack', 'https://hooks.slack.com/services/T000/B000/XXXX'],
    ['webhook', 'https://erp.example/hooks/sentinel'],
  ])('%s accepts %s', (type, url) => {
    expect(problems({ id: type, type, url })).toEqual([]);
  });

  test.each([
    ['dingtalk', 'https://oapi.dingtalk.com/robot/send', /access_token/],
    ['dingtalk', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', /oapi\.dingtalk\.com/],
    ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?access_token=k', /key=/],
    ['feishu', 'https://open.feishu.cn/open-apis/bot/v1/hook/x', /open-apis\/bot\/v2\/hook/],
    ['feishu', 'https://open.feishu.cn.evil.example/open-apis/bot/v2/hook/x', /larksuite/],
    ['slack', 'https://hooks.slack.com/', /hooks\.slack\.com\/services/],
    ['slack', 'http://hooks.slack.com/services/T/B/X', /must be https/],
    ['webhook', 'http://erp.example/hook', /must be https/],
  ])('%s refuses %s', (type, url, message) => {
    const p = problems({ id: type, type, url });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^url: /);
    expect(p[0]).toMatch(message);
  });

  test('--allow-any-url accepts a local server or a proxy', () => {
    expect(problems({ id: 'd', type: 'dingtalk', url: 'http://127.0.0.1:9/robot/send' }, true)).toEqual([]);
  });

  test('a DingTalk signing secret starts with SEC; an SNS topic is an ARN; an ID has no #', () => {
    expect(problems({ id: 'd', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SEC9f0e' })).toEqual([]);
    expect(problems({ id: 'd', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'access-token-pasted' })[0]).toMatch(/^secret: .*starts with 'SEC'/);
    expect(problems({ id: 's', type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' })).toEqual([]);
    expect(problems({ id: 's', type: 'sns', topicArn: 'alerts' })[0]).toMatch(/^topicArn: /);
    expect(problems({ id: 'a#b', type: 'sns' })[0]).toMatch(/^id: /);
  });
});

describe('masking', () => {
  test('tokens in bot URLs and every query value of other URLs are masked; the host stays readable', () => {
    expect(maskUrl('https://oapi.dingtalk.com/robot/send?access_token=6f1b7c0e9d8a7b6c5d4e3f2a1b0c9d8e')).toBe('https://oapi.dingtalk.com/robot/send?access_token=6f1b…9d8e');
    expect(maskUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7f2e-4bc4-97a0-0ec2a1fa5aaa')).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…5aaa');
    expect(maskUrl('https://open.feishu.cn/open-apis/bot/v2/hook/0f8e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b')).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/0f8e…1a0b');
    expect(maskUrl('https://hooks.slack.com/services/T0123ABCD/B0123ABCDEF/abcdefghijklmnopqrstuvwx')).toBe('https://hooks.slack.com/services/T0123ABCD/****/abcd…uvwx');
    expect(maskUrl('https://erp.example/hook?token=s3cr3t&x=1')).toBe('https://erp.example/hook?token=****&x=****');
  });

  test('a signing secret is never shown, only that it is set', () => {
    const secret = 'SEC0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e5f60718293a4b5c6d7e8f9';
    expect(maskSecret(secret)).toBe('********f9');
    const shown = JSON.stringify(maskedChannel(channel({ id: 'dt', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=6f1b7c0e9d8a7b6c5d4e3f2a1b0c9d8e', secret })));
    expect(shown).not.toContain(secret.slice(3, 20));
    expect(shown).not.toContain('7c0e9d8a7b6c5d4e3f2a1b0c');
    expect(channelTarget(channel({ id: 'dt', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=6f1b7c0e9d8a7b6c5d4e3f2a1b0c9d8e', secret }))).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=6f1b…9d8e (signed)',
    );
  });
});

test('the test message names the seller and the channel, in the seller\'s languages, and says nothing is to be done', () => {
  const both = channelTestMessage('A1SHOP', { id: 'dingtalk', type: 'dingtalk' }, ['zh-CN', 'en'], '2026-11-28T12:00:00.000Z');
  expect(both.subject).toBe('【测试】ShipNow Sentinel 提醒渠道测试 / ShipNow Sentinel alert channel test');
  expect(both.text).toContain('卖家 A1SHOP 的提醒渠道「dingtalk」（钉钉）');
  expect(both.text).toContain("alert channel 'dingtalk' (DingTalk) of seller A1SHOP");
  expect(both.text.indexOf('测试消息')).toBeLessThan(both.text.indexOf('This is a test message'));
  const en = channelTestMessage('A1SHOP', { id: 'ops', type: 'email' }, ['en'], '2026-11-28T12:00:00.000Z');
  expect(en.subject).toBe('ShipNow Sentinel alert channel test');
  expect(en.text).not.toMatch(/[\u4e00-\u9fff]/);
});
