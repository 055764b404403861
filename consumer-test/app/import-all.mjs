// (d) and Node: imports every export of every installed @identity-pool package (listed in
// entries.json by the runner), then, given an endpoint and pool, gets guest credentials with
// core's default transport. Prints one line per failing entry, naming it, and exits 1.
const [endpoint, identityPoolId] = typeof Deno === 'object' ? Deno.args : process.argv.slice(2);
const entries = JSON.parse(await (await import('./entries.js')).default());
const runtime =
  typeof Deno === 'object'
    ? `deno ${Deno.version.deno}`
    : typeof Bun === 'object'
      ? `bun ${Bun.version}`
      : `node ${process.version}`;
let failures = 0;
for (const specifier of entries) {
  try {
    const module = await import(specifier);
    if (Object.keys(module).length === 0) throw new Error('no exports');
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${runtime}: import('${specifier}'): ${error?.message ?? error}`);
  }
}
if (endpoint) {
  const { createIdentityPoolAuth } = await import('@identity-pool/core');
  const auth = createIdentityPoolAuth({ identityPoolId, endpoint });
  try {
    const credentials = await auth.getCredentials();
    if (!credentials.accessKeyId) throw new Error('no access key');
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${runtime}: @identity-pool/core guest credentials: ${error?.message ?? error}`);
  } finally {
    auth.stop();
  }
}
console.log(
  `${runtime}: ${entries.length - failures} of ${entries.length} entries imported${endpoint ? ', guest credentials' : ''}`,
);
if (failures > 0) {
  if (typeof Deno === 'object') Deno.exit(1);
  process.exit(1);
}
