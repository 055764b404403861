/**
 * Input validation the way the service framework in front of Cognito (Coral) does it: member
 * types first (`SerializationException`), then every model constraint, reported together as one
 * `ValidationException` with camelCase member names:
 *
 * `2 validation errors detected: Value null at 'identityId' failed to satisfy constraint: Member
 * must not be null; Value '{…}' at 'logins' failed to satisfy constraint: Member must have length
 * less than or equal to 10`
 */
import { ServiceError } from './errors.js';
import type { JsonObject } from './jwt.js';
import { messages } from './messages.js';

/** Length and pattern constraints of a string (the pattern is shown as written here, unanchored). */
export interface StringConstraints {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
}

/** The model rule of one input member. */
export type MemberRule =
  | ({ readonly type: 'string'; readonly required?: boolean } & StringConstraints)
  | {
      readonly type: 'map';
      readonly required?: boolean;
      readonly maxEntries?: number;
      readonly key: StringConstraints;
      readonly value: StringConstraints;
    }
  | {
      readonly type: 'list';
      readonly required?: boolean;
      readonly maxItems?: number;
      readonly item: StringConstraints;
    }
  | { readonly type: 'long'; readonly required?: boolean; readonly min?: number; readonly max?: number };

/** An operation's input shape: wire (PascalCase) member name → rule. */
export type InputShape = Readonly<Record<string, MemberRule>>;

type MemberValue<R extends MemberRule> = R extends { type: 'string' }
  ? string
  : R extends { type: 'map' }
    ? Record<string, string>
    : R extends { type: 'long' }
      ? number
      : string[];

/** The typed input an {@link InputShape} validates to. */
export type InputOf<S extends InputShape> = {
  -readonly [K in keyof S as S[K] extends { required: true } ? K : never]: MemberValue<S[K]>;
} & {
  -readonly [K in keyof S as S[K] extends { required: true } ? never : K]?: MemberValue<S[K]>;
};

/** `[\w-]+:[0-9a-f-]+`: identity pool IDs and identity IDs. */
export const regionGuidPattern = '[\\w-]+:[0-9a-f-]+';

const compiledPatterns = new Map<string, RegExp>();

function matchesPattern(value: string, pattern: string): boolean {
  let regex = compiledPatterns.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`);
    compiledPatterns.set(pattern, regex);
  }
  return regex.test(value);
}

/** `IdentityPoolId` → `identityPoolId`. */
export function camelCaseMemberName(wireName: string): string {
  return wireName.charAt(0).toLowerCase() + wireName.slice(1);
}

function renderValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return `'${value}'`;
  if (Array.isArray(value)) return `'[${value.join(', ')}]'`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `${key}=${String(item)}`,
  );
  return `'{${entries.join(', ')}}'`;
}

/** The failed constraints of a string, one text each, in Coral's order (length, then pattern). */
function stringViolations(value: string, constraints: StringConstraints): string[] {
  const violations: string[] = [];
  if (constraints.min !== undefined && value.length < constraints.min) {
    violations.push(`Member must have length greater than or equal to ${constraints.min}`);
  }
  if (constraints.max !== undefined && value.length > constraints.max) {
    violations.push(`Member must have length less than or equal to ${constraints.max}`);
  }
  if (constraints.pattern !== undefined && !matchesPattern(value, constraints.pattern)) {
    violations.push(`Member must satisfy regular expression pattern: ${constraints.pattern}`);
  }
  return violations;
}

/** Every constraint of a nested string, as Coral lists them inside `[…]`. */
function describeConstraints(constraints: StringConstraints): string {
  const texts: string[] = [];
  if (constraints.max !== undefined)
    texts.push(`Member must have length less than or equal to ${constraints.max}`);
  if (constraints.min !== undefined)
    texts.push(`Member must have length greater than or equal to ${constraints.min}`);
  if (constraints.pattern !== undefined) {
    texts.push(`Member must satisfy regular expression pattern: ${constraints.pattern}`);
  }
  return `[${texts.join(', ')}]`;
}

function memberViolations(value: unknown, rule: MemberRule): string[] {
  if (value === undefined) return rule.required ? ['Member must not be null'] : [];
  switch (rule.type) {
    case 'string':
      return stringViolations(value as string, rule);
    case 'map': {
      const map = value as Record<string, string>;
      const violations: string[] = [];
      const keys = Object.keys(map);
      if (rule.maxEntries !== undefined && keys.length > rule.maxEntries) {
        violations.push(`Member must have length less than or equal to ${rule.maxEntries}`);
      }
      if (keys.some((key) => stringViolations(key, rule.key).length > 0)) {
        violations.push(`Map keys must satisfy constraint: ${describeConstraints(rule.key)}`);
      }
      if (Object.values(map).some((item) => stringViolations(item, rule.value).length > 0)) {
        violations.push(`Map value must satisfy constraint: ${describeConstraints(rule.value)}`);
      }
      return violations;
    }
    case 'long': {
      const violations: string[] = [];
      const number = value as number;
      if (rule.min !== undefined && number < rule.min) {
        violations.push(`Member must have value greater than or equal to ${rule.min}`);
      }
      if (rule.max !== undefined && number > rule.max) {
        violations.push(`Member must have value less than or equal to ${rule.max}`);
      }
      return violations;
    }
    case 'list': {
      const list = value as string[];
      const violations: string[] = [];
      if (rule.maxItems !== undefined && list.length > rule.maxItems) {
        violations.push(`Member must have length less than or equal to ${rule.maxItems}`);
      }
      if (list.some((item) => stringViolations(item, rule.item).length > 0)) {
        violations.push(`Member must satisfy constraint: ${describeConstraints(rule.item)}`);
      }
      return violations;
    }
  }
}

function hasExpectedType(value: unknown, rule: MemberRule): boolean {
  switch (rule.type) {
    case 'string':
      return typeof value === 'string';
    case 'map':
      return (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((item) => typeof item === 'string')
      );
    case 'list':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'long':
      return typeof value === 'number' && Number.isInteger(value);
  }
}

const expectedTypeNames: Record<MemberRule['type'], string> = {
  string: 'a string',
  map: 'a map of strings',
  list: 'a list of strings',
  long: 'an integer',
};

/**
 * Validates a request body against an input shape and returns the typed input (unknown members
 * dropped, JSON `null` treated as absent). Throws `SerializationException` for a member of the
 * wrong JSON type and `ValidationException` listing every failed constraint.
 */
export function validateInput<S extends InputShape>(shape: S, body: JsonObject): InputOf<S> {
  const input: Record<string, unknown> = {};
  for (const [member, rule] of Object.entries(shape)) {
    const value = body[member];
    if (value === undefined || value === null) continue;
    if (!hasExpectedType(value, rule)) {
      throw new ServiceError(
        'SerializationException',
        messages.wrongMemberType(member, expectedTypeNames[rule.type]),
      );
    }
    input[member] = value;
  }

  const errors: string[] = [];
  for (const [member, rule] of Object.entries(shape)) {
    const value = input[member];
    for (const violation of memberViolations(value, rule)) {
      errors.push(
        `Value ${renderValue(value)} at '${camelCaseMemberName(member)}' failed to satisfy constraint: ${violation}`,
      );
    }
  }
  if (errors.length > 0) {
    const count = errors.length === 1 ? '1 validation error' : `${errors.length} validation errors`;
    throw new ServiceError('ValidationException', `${count} detected: ${errors.join('; ')}`);
  }
  return input as InputOf<S>;
}
