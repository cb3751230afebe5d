/**
 * axe-core in the browser journeys: `expectNoAxeViolations(page, state)` runs axe on the page as it
 * is now (a dialog open, errors shown…) with the WCAG 2.0–2.2 A and AA rules, and fails with each
 * violation's rule, impact and elements. The script goes in through DevTools (`page.evaluate`),
 * which the page's CSP (script-src 'self') doesn't apply to, so the app's CSP stays as it is.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe on the page's current state; throws listing every WCAG A/AA violation. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `window.axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(TAGS)} }, resultTypes: ["violations"] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({ target: n.target, failureSummary: n.failureSummary })) })))`,
  )) as Violation[];
  if (violations.length === 0) return;
  const text = violations
    .map((v) => `- ${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary ?? ""}`.replace(/\n/g, " ")).join("\n")}`)
    .join("\n");
  throw new Error(`axe found ${violations.length} WCAG 2.2 A/AA violation(s) on ${state} (${page.url()}):\n${text}`);
}

/** What has keyboard focus, as a person would name it: role-ish tag, id and its text (trimmed). */
export function focused(page: Page): Promise<{ tag: string; id: string; text: string; name: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const label = el && "labels" in el ? ((el as HTMLInputElement).labels?.[0]?.textContent ?? "") : "";
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      id: el?.id ?? "",
      text: (el?.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 200),
      name: (label || el?.getAttribute("aria-label") || "").replace(/\s+/g, " ").replace(/\s*\*$/, "").trim(),
    };
  });
}
