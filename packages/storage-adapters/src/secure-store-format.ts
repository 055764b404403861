/**
 * How the secure-store adapter lays values out in SecureStore's flat key space. A core key is
 * escaped into `[A-Za-z0-9_-]` (no `.`), so `.` separates what belongs to one key and nothing
 * else: `<key>` holds the value or a manifest, `<key>.<generation>.<i>` the chunks the manifest
 * names, `<key>.journal` the generations a write had in play (so chunks a killed write left behind
 * are found and deleted by the next one). Names of two different keys can never meet.
 */

/**
 * expo-secure-store documents 2048 bytes as the value size above which a write may fail (iOS
 * keychain); longer values are split into chunks of at most this many UTF-8 bytes.
 */
export const SECURE_STORE_CHUNK_BYTES = 2048;

/** Starts a manifest (a value split into chunks); a plain value starting with it is split too. */
export const MANIFEST = '\u0000chunks:';

/** UTF-8 length of `text` (no TextEncoder needed: Hermes before React Native 0.74 has none). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let size = 0;
  for (const char of text) {
    const bytes = utf8Length(char);
    if (size + bytes > maxBytes) {
      pieces.push(piece);
      piece = '';
      size = 0;
    }
    piece += char;
    size += bytes;
  }
  if (piece || pieces.length === 0) pieces.push(piece);
  return pieces;
}

/**
 * Every chunk but the last is over `SECURE_STORE_CHUNK_BYTES - 3` bytes (a character is at most 4),
 * so this many chunks hold any value up to `maxValueBytes`: a manifest naming more is not ours.
 */
export const maxChunksFor = (maxValueBytes: number) =>
  Math.ceil(maxValueBytes / (SECURE_STORE_CHUNK_BYTES - 3));

/**
 * SecureStore keys allow only letters, digits, `.`, `-` and `_`. Every other character, `_` (the
 * escape) and `.` (kept for chunk names) becomes `_` and its four hex digits, so the escaping can
 * be undone (distinct keys stay distinct) and an escaped key never contains a `.`.
 */
export function secureStoreKey(key: string): string {
  return key.replace(/[^A-Za-z0-9-]/g, (char) => `_${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One generation of chunks: `count` values at `<key>.<generation>.<0…count-1>`. */
export interface Generation {
  generation: string;
  count: number;
}

/** What the adapter makes (base-36 digits): anything else in a manifest was planted or damaged. */
const GENERATION = /^[0-9a-z]{1,32}$/;

function parseGeneration(text: string, maxChunks: number): Generation | undefined {
  const [generation = '', count = '', ...rest] = text.split(':');
  const n = /^[1-9][0-9]{0,5}$/.test(count) ? Number(count) : 0;
  return rest.length === 0 && GENERATION.test(generation) && n >= 1 && n <= maxChunks
    ? { generation, count: n }
    : undefined;
}

const formatGeneration = ({ generation, count }: Generation) => `${generation}:${count}`;

/** The manifest `value` holds, or `undefined` for a plain value or one that is not a valid manifest. */
export function parseManifest(value: string | null, maxChunks: number): Generation | undefined {
  if (value === null || !value.startsWith(MANIFEST)) return undefined;
  return parseGeneration(value.slice(MANIFEST.length), maxChunks);
}

export const formatManifest = (manifest: Generation) => `${MANIFEST}${formatGeneration(manifest)}`;

/** The generations a journal names (at most the new and the replaced one); none if damaged. */
export function parseJournal(value: string | null, maxChunks: number): Generation[] {
  if (value === null) return [];
  const entries = value.split(',').slice(0, 2);
  return entries.flatMap((entry) => parseGeneration(entry, maxChunks) ?? []);
}

export const formatJournal = (generations: Generation[]) => generations.map(formatGeneration).join(',');

export const chunkKey = (key: string, { generation }: Generation, index: number) =>
  `${key}.${generation}.${index}`;

export const journalKey = (key: string) => `${key}.journal`;
