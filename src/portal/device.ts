/**
 * What the Devices page can say about a session's device without storing more than it needs: a
 * short summary of the browser and system from the User-Agent ("Chrome on Android" — not the
 * header itself, which is a fingerprint), and the approximate place Cloudflare reports in
 * CF-IPCountry (an ISO 3166 code; on by default for a zone) and CF-IPCity (only with the "Add
 * visitor location headers" Managed Transform). Neither is proof of anything: a browser can
 * claim any User-Agent, and places come from IP geolocation.
 */
import { hiddenCharacter } from "../forms/text";

/** How a session's device is described: "<browser> on <system>", or what is known of it. */
export function deviceSummary(userAgent: string | undefined): string {
  const ua = (userAgent ?? "").slice(0, 512);
  const browser = browserOf(ua);
  const system = systemOf(ua);
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `A browser on ${system}` : "Unknown browser");
}

function browserOf(ua: string): string | null {
  // Most specific first: Edge, Opera and Samsung Internet also say "Chrome", and Chrome "Safari".
  if (/\bEdg(e|A|iOS)?\//.test(ua)) return "Edge";
  if (/\b(OPR|Opera)\//.test(ua)) return "Opera";
  if (/\bSamsungBrowser\//.test(ua)) return "Samsung Internet";
  if (/\b(Firefox|FxiOS)\//.test(ua)) return "Firefox";
  if (/\b(HeadlessChrome|Chrome|CriOS|Chromium)\//.test(ua)) return "Chrome";
  if (/\bVersion\/[\d.]+.*\bSafari\//.test(ua)) return "Safari";
  return null;
}

function systemOf(ua: string): string | null {
  if (/\biPhone\b/.test(ua)) return "iPhone";
  if (/\biPad\b/.test(ua)) return "iPad";
  if (/\bAndroid\b/.test(ua)) return "Android";
  if (/\bCrOS\b/.test(ua)) return "ChromeOS";
  if (/\bWindows\b/.test(ua)) return "Windows";
  if (/\bMac OS X\b|\bMacintosh\b/.test(ua)) return "Mac";
  if (/\bLinux\b/.test(ua)) return "Linux";
  return null;
}

/** A country code as Cloudflare sends it, or null for none, "XX" (unknown) and "T1" (Tor). */
export function countryOf(header: string | undefined): string | null {
  const code = (header ?? "").trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && code !== "XX" && code !== "T1" ? code : null;
}

/** A city as Cloudflare sends it (trimmed, at most 80 characters), or null when absent or odd. */
export function cityOf(header: string | undefined): string | null {
  const city = (header ?? "").normalize("NFC").trim().slice(0, 80);
  return city && !hiddenCharacter(city) ? city : null;
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

/** "Austin, United States", "United States", or null when nothing is known. */
export function placeText(country: string | null, city: string | null): string | null {
  let name: string | null = null;
  if (country) {
    try {
      name = regionNames.of(country) ?? country;
    } catch {
      name = country;
    }
  }
  return [city, name].filter(Boolean).join(", ") || null;
}
