// A child process that hammers one file through fileStorage: node file-hammer.mjs <adapter.mjs> <path> <writer> <count>
const [adapterModule, path, writer, count] = process.argv.slice(2);
const { fileStorage } = await import(adapterModule);
const storage = fileStorage({ path });
for (let i = 0; i < Number(count); i += 1) {
  await storage.setItem(
    `${writer}-${i}`,
    JSON.stringify({ writer, i, padding: '日本🔐'.repeat(50 + (i % 7) * 40) }),
  );
  await storage.setItem('shared', `${writer}:${i}`);
  if (i % 10 === 9) await storage.removeItem(`${writer}-${i - 1}`);
  const back = await storage.getItem(`${writer}-${i}`);
  if (back === null || JSON.parse(back).i !== i) throw new Error(`${writer} lost its own write ${i}`);
}
await storage.dispose();
