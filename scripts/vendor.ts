/**
 * Copies the browser libraries the pages load into public/vendor/ (committed, so the Worker's
 * static assets need no build step): run `npm run vendor` after upgrading one of them.
 * - @simplewebauthn/browser's UMD bundle (global `SimpleWebAuthnBrowser`), for public/passkeys.js
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

const files: [from: string, to: string][] = [
  ["node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js", "public/vendor/simplewebauthn-browser.umd.min.js"],
  ["node_modules/@simplewebauthn/browser/LICENSE.md", "public/vendor/simplewebauthn-browser.LICENSE.md"],
];

mkdirSync(join(ROOT, "public/vendor"), { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(ROOT, from), join(ROOT, to));
  console.log(`${from} → ${to}`);
}
