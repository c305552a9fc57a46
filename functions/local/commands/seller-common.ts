/**
 * What the seller subcommands share (./seller.ts, ./seller-lifecycle.ts, ./seller-channels.ts):
 * their options, their flag parser, the profile flags, and the Seller Central steps. Kept apart so
 * that the subcommands import it instead of each other.
 */
import type { Marketplace } from '../../domain/marketplaces';
import { parseFlags } from '../help';

export interface SellerCommandOptions {
  /** Random source for aliases (tests pass a fixed one). */
  randomBytes?: (n: number) => Uint8Array;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** stdout is a terminal: `list` prints a header line (default: process.stdout.isTTY). */
  tty?: boolean;
  /** stdin is a terminal a person can answer `remove`'s question on (default: process.stdin.isTTY). */
  interactive?: boolean;
  /** Asks a question on the terminal and resolves to the answer (default: node:readline on stdin/stderr). */
  ask?: (question: string) => Promise<string>;
}

/** The flags of one seller subcommand, with the flag errors of every command (they name what is accepted). */
export function parse<T extends Parameters<typeof parseFlags>[2]>(topic: string, args: string[], options: T) {
  return parseFlags(topic, args, options);
}

/** The profile flags of `seller add` (and `seller update`); their names are the columns of `--from`. */
export const SELLER_FIELD_FLAGS = {
  id: { type: 'string' },
  name: { type: 'string' },
  marketplaces: { type: 'string' },
  'alert-email': { type: 'string', multiple: true },
  language: { type: 'string' },
  timezone: { type: 'string' },
} as const;

/**
 * The Seller Central steps, English then Chinese, and the marketplaces' links. `en` / `zh` name
 * the address in the step that adds it (the address itself, or "the seller's address above").
 */
export function notificationSteps(en: string, zh: string, marketplaces: readonly Marketplace[]): string[] {
  const lines: string[] = [];
  lines.push('English: add this address to the "Sold, ship now" notification in every marketplace:');
  lines.push('  1. Sign in to Seller Central for the marketplace (links below).');
  lines.push('  2. Settings (gear icon) > Notification Preferences > Order Notifications.');
  lines.push('  3. Next to "Sold, ship now" (UK: "Sold, dispatch now"), click Edit.');
  lines.push(`  4. Add ${en} as an email address (keep your own address too) and click Save.`);
  lines.push('  5. Or: forward the Sold, Ship Now emails from your mailbox to this address automatically.');
  lines.push('  Notification Preferences are set per marketplace: repeat for each one.');
  lines.push('');
  lines.push('中文：请在每个站点的「已售出，请发货」(Sold, ship now) 通知中添加此地址：');
  lines.push('  1. 登录该站点的卖家平台 Seller Central（链接见下）。');
  lines.push('  2. 设置（齿轮图标）> 通知首选项 (Notification Preferences) > 订单通知 (Order Notifications)。');
  lines.push('  3. 在「Sold, ship now / 已售出，请发货」（英国站为 "Sold, dispatch now"）旁点击「编辑」(Edit)。');
  lines.push(`  4. 添加邮箱地址 ${zh}（可保留您自己的邮箱），然后点击「保存」(Save)。`);
  lines.push('  5. 也可以在您的邮箱中设置自动转发，将 Sold, Ship Now 邮件转发到此地址。');
  lines.push('  通知首选项按站点分别设置：每个站点都需要重复以上步骤。');
  lines.push('');
  lines.push('Marketplaces / 站点:');
  for (const m of marketplaces) {
    lines.push(`  ${m.code.padEnd(3)} ${m.key.padEnd(14)} ${m.sellerCentral}/notifications/preferences`);
  }
  return lines;
}
