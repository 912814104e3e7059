/**
 * Loaded through `import()` on the first override. A static re-export, because
 * esbuild gives a dynamically imported CommonJS package only a default export
 * (Node finds its named exports itself); a named re-export is resolved at build time.
 */
export { OAuth2Client } from 'google-auth-library';
