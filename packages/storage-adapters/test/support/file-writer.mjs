// A child process writing keys of its own through fileStorage, reporting each write that resolved:
// node file-writer.mjs <adapter.mjs> <path> <writer> <count> [<value size>]
// Env START_AT: epoch ms to start writing at. Prints `ok <key>` once `setItem(key)` has resolved, and `error <message>` when one rejects.
const [adapterModule, path, writer, count, size = '300'] = process.argv.slice(2);
const { fileStorage } = await import(adapterModule);
const storage = fileStorage({ path });
// START_AT (epoch ms) lines many writers up to start at the same moment.
const startAt = Number(process.env.START_AT ?? 0);
if (startAt > Date.now()) await new Promise((done) => setTimeout(done, startAt - Date.now()));
const padding = 'SECRET-SESSION-TOKEN-'.repeat(Math.ceil(Number(size) / 21)).slice(0, Number(size));
for (let i = 0; i < Number(count); i += 1) {
  const key = `${writer}-${i}`;
  try {
    await storage.setItem(key, JSON.stringify({ writer, i, padding }));
    process.stdout.write(`ok ${key}\n`);
  } catch (error) {
    process.stdout.write(`error ${String(error?.message ?? error).replace(/\n/g, ' ')}\n`);
    process.exitCode = 1;
  }
}
await storage.dispose();
