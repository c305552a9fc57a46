/** Channel adapters from a seller's channel configuration. */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { ChannelConfig } from '../../domain/alert-settings';
import { type AlertChannel, type ChannelFactory } from '../../domain/ports';
import { PermanentChannelError } from '../../domain/errors';
import { SesEmailChannel, SnsChannel } from './aws';
import { DingTalkChannel, FeishuChannel, JsonWebhookChannel, SlackChannel, WeComChannel, type WebhookOptions } from './webhooks';

export interface ChannelFactoryOptions {
  ses?: { client: SESv2Client; from: string; configurationSetName?: string };
  sns?: { client: SNSClient; defaultTopicArn?: string };
  http?: WebhookOptions;
}

export function makeChannelFactory(o: ChannelFactoryOptions): ChannelFactory {
  return (c: ChannelConfig): AlertChannel => {
    switch (c.type) {
      case 'email':
        if (!o.ses) return unavailable(c, 'SES is not configured');
        return new SesEmailChannel(c.id, o.ses.client, o.ses.from, c.to, o.ses.configurationSetName);
      case 'sns': {
        const topic = c.topicArn ?? o.sns?.defaultTopicArn;
        if (!o.sns || !topic) return unavailable(c, 'SNS is not configured');
        return new SnsChannel(c.id, o.sns.client, topic);
      }
      case 'slack':
        return new SlackChannel(c.id, c.url, o.http);
      case 'dingtalk':
        return new DingTalkChannel(c.id, c.url, c.secret, o.http);
      case 'wecom':
        return new WeComChannel(c.id, c.url, o.http);
      case 'feishu':
        return new FeishuChannel(c.id, c.url, c.secret, o.http);
      case 'webhook':
        return new JsonWebhookChannel(c.id, c.url, o.http);
    }
  };
}

function unavailable(c: ChannelConfig, why: string): AlertChannel {
  return {
    id: c.id,
    type: c.type,
    send: async () => {
      throw new PermanentChannelError(c.id, why);
    },
  };
}
