/**
 * Deploy guards: a stack synthesised with an offline placeholder (the default inbound domain
 * `inbound.shipnow.example`, the default sender `alerts@example.com`, or any address or domain
 * under a name reserved for documentation and tests: `example`, `example.com/.net/.org`,
 * `test`, `invalid`, `localhost`, RFC 2606 / RFC 6761) can be synthesised, but never deployed.
 *
 * How: one CloudFormation template rule per placeholder, whose assertion is false. CloudFormation
 * evaluates a template's `Rules` when it validates the template for a create or update (the change
 * set `cdk deploy` makes, the console, a pipeline), before it creates or changes any resource, and
 * refuses with the rule's `AssertDescription`. This is the mechanism aws-cdk itself uses to refuse
 * a deploy into an environment bootstrapped with too old a version (its `CheckBootstrapVersion`
 * rule). A CDK app cannot tell `cdk synth` from `cdk deploy` (the CLI runs the same synthesis for
 * both and passes no command; aws/aws-cdk#9619 was closed without one), so throwing in the app
 * would break the offline synth on a fresh clone, and a custom resource would run only after other
 * resources were already created. The synth also prints a warning per placeholder, so the person
 * who runs `cdk synth` knows before trying to deploy.
 */
import { Annotations, CfnRule, Fn, type Stack } from 'aws-cdk-lib';
import { DEFAULT_ALERT_FROM, DEFAULT_INBOUND_DOMAIN, type SentinelConfig } from './config';

/** Names reserved for documentation and testing: mail to them can never be received or delivered. */
const RESERVED_SUFFIXES = ['example', 'example.com', 'example.net', 'example.org', 'test', 'invalid', 'localhost'];

export interface Placeholder {
  /** The context key to set. */
  key: keyof SentinelConfig;
  value: string;
  /** What the key must be set to instead. */
  expected: string;
}

/** True for a domain that is, or lies under, a reserved name. */
export function isReservedDomain(domain: string): boolean {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  return RESERVED_SUFFIXES.some((s) => d === s || d.endsWith(`.${s}`));
}

const domainOfAddress = (address: string): string => address.slice(address.lastIndexOf('@') + 1);

/** Every configured value that cannot work in a deployment, with the key that sets it. */
export function placeholdersIn(config: SentinelConfig): Placeholder[] {
  const found: Placeholder[] = [];
  if (config.inboundDomain === DEFAULT_INBOUND_DOMAIN || isReservedDomain(config.inboundDomain)) {
    found.push({ key: 'inboundDomain', value: config.inboundDomain, expected: 'a domain you control whose MX record you can point at SES, e.g. -c inboundDomain=inbound.yourshop.com' });
  }
  if (config.alertFrom === DEFAULT_ALERT_FROM || isReservedDomain(domainOfAddress(config.alertFrom))) {
    found.push({ key: 'alertFrom', value: config.alertFrom, expected: 'an address of a domain you control, e.g. -c alertFrom=alerts@yourshop.com' });
  }
  if (config.alertDomain !== undefined && isReservedDomain(config.alertDomain)) {
    found.push({ key: 'alertDomain', value: config.alertDomain, expected: 'the domain of alertFrom, which you can publish DKIM records for' });
  }
  if (config.alarmEmail !== undefined && isReservedDomain(domainOfAddress(config.alarmEmail))) {
    found.push({ key: 'alarmEmail', value: config.alarmEmail, expected: 'the operator\'s real address (or leave it unset and subscribe to OperatorTopicArn)' });
  }
  return found;
}

/** The refusal CloudFormation prints: names the key and what to set. */
export function placeholderMessage(p: Placeholder): string {
  return `ShipNow Sentinel: context key "${p.key}" is the placeholder ${JSON.stringify(p.value)}, which can never receive or send mail. Set ${p.expected}, then deploy again (docs/operations.md, Configuration).`;
}

/** Adds one always-false template rule (and a synth warning) per placeholder in `config`. */
export function addDeployGuards(stack: Stack, config: SentinelConfig): Placeholder[] {
  const found = placeholdersIn(config);
  for (const p of found) {
    const key = p.key.charAt(0).toUpperCase() + p.key.slice(1);
    new CfnRule(stack, `Placeholder${key}`, {
      assertions: [
        {
          // Always false: the rule exists only while the value is a placeholder.
          assert: Fn.conditionEquals(p.value, `a value other than ${p.value}`),
          assertDescription: placeholderMessage(p),
        },
      ],
    });
    Annotations.of(stack).addWarningV2(`shipnow:placeholder:${p.key}`, `${placeholderMessage(p)} Synth is fine; CloudFormation will refuse the deploy before creating anything.`);
  }
  return found;
}
