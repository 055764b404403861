// Reads entries.json in any runtime (Deno has no JSON import without an attribute Bun and Node 20 spell differently).
export default async function read() {
  const url = new URL('./entries.json', import.meta.url);
  if (typeof Deno === 'object') return Deno.readTextFile(url);
  const { readFile } = await import('node:fs/promises');
  return readFile(url, 'utf8');
}
