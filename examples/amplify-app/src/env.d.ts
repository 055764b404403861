/** What the page reads from Vite's `import.meta.env` (set by src/serve.ts; a deployed app leaves it unset). */
interface ImportMetaEnv {
  /** The Cognito Identity endpoint: the emulator's. Unset, the session calls AWS. */
  readonly VITE_IDENTITY_POOL_ENDPOINT?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
