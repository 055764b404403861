/**
 * Finds secrets anywhere in what the library handed out: every own property (enumerable or not,
 * data or getter: `message`, `stack`, `cause`, `errors` included), inherited `name`/`message`/
 * `stack`, nested objects and arrays, `String(value)` and `JSON.stringify(value)`. Cycles and
 * throwing getters are survived: a scan never crashes, it reports.
 */
export function findSecrets(value: unknown, secrets: readonly string[]): string[] {
  const found: string[] = [];
  const seen = new Set<unknown>();
  const check = (text: unknown, where: string) => {
    if (typeof text !== 'string') return;
    for (const secret of secrets)
      if (text.includes(secret)) found.push(`${where} contains ${secret.slice(0, 12)}…`);
  };
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  const visit = (node: unknown, where: string, depth: number) => {
    if (typeof node === 'string') return check(node, where);
    if ((typeof node !== 'object' && typeof node !== 'function') || node === null) return;
    if (seen.has(node) || depth > 30) return;
    seen.add(node);
    check(
      attempt(() => String(node)),
      `String(${where})`,
    );
    check(
      attempt(() => JSON.stringify(node)),
      `JSON.stringify(${where})`,
    );
    for (const key of ['name', 'message', 'stack', 'cause', 'errors'])
      visit(
        attempt(() => (node as Record<string, unknown>)[key]),
        `${where}.${key}`,
        depth + 1,
      );
    for (const key of attempt(() => Reflect.ownKeys(node)) ?? []) {
      check(typeof key === 'string' ? key : undefined, `a key of ${where}`);
      const descriptor = attempt(() => Reflect.getOwnPropertyDescriptor(node, key));
      if (!descriptor) continue;
      const child = 'value' in descriptor ? descriptor.value : attempt(() => descriptor.get?.call(node));
      visit(child, `${where}.${String(key)}`, depth + 1);
    }
  };
  visit(value, 'value', 0);
  return found;
}
