// The module story for CommonJS: the packages are ESM only, and Node >= 20.19 loads them with
// require() (require(esm)). This requires every export and reports each that fails, naming it.
const entries = JSON.parse(require('node:fs').readFileSync(`${__dirname}/entries.json`, 'utf8'));
let failures = 0;
for (const specifier of entries) {
  try {
    const module = require(specifier);
    if (Object.keys(module).length === 0) throw new Error('no exports');
  } catch (error) {
    failures += 1;
    console.log(
      `FAIL node ${process.version}: require('${specifier}'): ${error.code ?? ''} ${error.message.split('\n')[0]}`,
    );
  }
}
console.log(`node ${process.version}: ${entries.length - failures} of ${entries.length} entries require()d`);
process.exitCode = failures > 0 ? 1 : 0;
