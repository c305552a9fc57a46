/**
 * The inbound domain of the sellers' addresses, for the commands that print them or route mail
 * by them: `--inbound-domain`, else SENTINEL_INBOUND_DOMAIN, else a placeholder that only the
 * embedded store accepts.
 */
import { ENV } from '../constants';
import { UsageError } from './cli-io';

/** `--inbound-domain`, else SENTINEL_INBOUND_DOMAIN, else the documented placeholder (embedded store only). */
export const DEFAULT_INBOUND_DOMAIN = 'inbound.shipnow.example';

export function inboundDomainOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (flag ?? env[ENV.INBOUND_DOMAIN] ?? DEFAULT_INBOUND_DOMAIN).trim().toLowerCase();
}

/** Whether the inbound domain was configured (flag or environment) rather than the placeholder. */
export function inboundDomainConfigured(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean((flag ?? env[ENV.INBOUND_DOMAIN] ?? '').trim());
}

/**
 * The inbound domain for a command that prints sellers' addresses or routes mail by them.
 * Against a deployed table the placeholder would be wrong (an address a seller pastes into Seller
 * Central, or a good mail rejected as `no-inbound-recipient`): refused, exit 2.
 */
export function requireInboundDomain(opts: { table?: string }, flag: string | undefined, env: NodeJS.ProcessEnv, what: string): string {
  if (opts.table && !inboundDomainConfigured(flag, env)) {
    throw new UsageError(`${what} on table ${opts.table} needs the deployed inbound domain: --inbound-domain D or ${ENV.INBOUND_DOMAIN}`);
  }
  return inboundDomainOf(flag, env);
}

/** Told with the output of the embedded store when the placeholder domain is used. */
export const PLACEHOLDER_NOTE = `placeholder domain ${DEFAULT_INBOUND_DOMAIN} (embedded store): not a real address; set --inbound-domain or ${ENV.INBOUND_DOMAIN} to the deployed inbound domain before giving it to a seller`;
