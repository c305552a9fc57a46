/**
 * Environment of the order-sync functions, read and validated once at cold start (zod), typed and
 * frozen. Names come from functions/constants.ts, which the CDK construct uses to set them.
 * (Kept apart from a general functions/config.ts while several people work in the tree.)
 */
import { z } from 'zod';
import { ENV } from './constants';
import { DEFAULT_SECRETS_PREFIX } from './adapters/secrets';
import { DEFAULT_POLICY, type OrderPolicy } from './domain/types';

const Schema = z.object({
  tableName: z.string().min(1),
  queueUrl: z.string().min(1).optional(),
  secretsPrefix: z.string().min(1).default(DEFAULT_SECRETS_PREFIX),
  eventBusName: z.string().min(1).default('default'),
  overlapMinutes: z.coerce.number().int().min(0).max(24 * 60).default(10),
  graceMinutes: z.coerce.number().int().min(0).default(DEFAULT_POLICY.graceMinutes),
});

export type OrderSyncConfig = Readonly<z.infer<typeof Schema> & { policy: OrderPolicy }>;

export function loadOrderSyncConfig(env: NodeJS.ProcessEnv = process.env): OrderSyncConfig {
  const r = Schema.safeParse({
    tableName: env[ENV.TABLE_NAME],
    queueUrl: env[ENV.SYNC_QUEUE_URL] || undefined,
    secretsPrefix: env[ENV.SP_API_SECRETS_PREFIX] || undefined,
    eventBusName: env[ENV.SYNC_EVENT_BUS] || undefined,
    overlapMinutes: env[ENV.SYNC_OVERLAP_MINUTES] || undefined,
    graceMinutes: env[ENV.GRACE_MINUTES] || undefined,
  });
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`order-sync configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  return Object.freeze({ ...r.data, policy: Object.freeze({ ...DEFAULT_POLICY, graceMinutes: r.data.graceMinutes }) });
}
