/**
 * The stack's cost profile (infra/config.ts `profile`), readable by every construct below the stack
 * without threading it through each construct's props: SentinelStack sets it as construct context
 * before it creates any child. Constructs built outside a SentinelStack (their own unit tests) get
 * `default`.
 */
import type { IConstruct } from 'constructs';
import type { Profile } from './config';

export const PROFILE_CONTEXT = 'shipnow:profile';

export function profileOf(scope: IConstruct): Profile {
  return scope.node.tryGetContext(PROFILE_CONTEXT) === 'lean' ? 'lean' : 'default';
}

export const isLean = (scope: IConstruct): boolean => profileOf(scope) === 'lean';
