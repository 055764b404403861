/** docs/embedding.md's host contract, read for the tests that hold it to what a bundle touches. */
import { readFileSync } from 'node:fs';

export interface ContractRow {
  name: string;
  /** `required`, `optional` or `only with …`. */
  needed: string;
}

const docPath = new URL('../../../../docs/embedding.md', import.meta.url);

function section(markdown: string, marker: string): string {
  const match = new RegExp(`<!-- ${marker}:start -->([\\s\\S]*?)<!-- ${marker}:end -->`).exec(markdown);
  if (!match) throw new Error(`docs/embedding.md has no ${marker} section`);
  return match[1]!;
}

/** The globals table and the list of language built-ins. */
export function hostContract(): { rows: ContractRow[]; builtins: string[] } {
  const markdown = readFileSync(docPath, 'utf8');
  const rows = section(markdown, 'host-contract')
    .split('\n')
    .map((line) => /^\|\s*`([\w$]+)`\s*\|([^|]*)\|/.exec(line))
    .filter((match) => match !== null)
    .map(([, name, needed]) => ({ name: name!, needed: needed!.trim() }));
  const builtins = [...section(markdown, 'language-builtins').matchAll(/`([\w$]+)`/g)].map((m) => m[1]!);
  return { rows, builtins };
}
