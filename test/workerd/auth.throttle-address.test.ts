/**
 * How sign-in throttling counts addresses: IPv4 as is, IPv6 by its /64 (one subscriber's
 * allocation), and every request without a usable CF-Connecting-IP in one strict bucket that
 * allows only as many failures as one account does. Limits lowered for this file: 6 failures per
 * address, 4 per account.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bucketOf, NO_ADDRESS } from "../../src/auth/throttle-keys";
import { Browser } from "./fixtures";

Object.assign(env, { PORTAL_IP_MAX_FAILURES: "6", PORTAL_LOCK_AFTER_FAILURES: "4" });

let n = 0;
/** A failed staff sign-in for a fresh unknown email (so only the address can refuse it). */
async function fail(ip: string | null) {
  const headers: Record<string, string> = ip === null ? {} : { "CF-Connecting-IP": ip };
  const res = await new Browser().post("/sign-in", { email: `guess${++n}@example.test`, password: "wrong" }, { headers });
  await res.arrayBuffer();
  return res.status;
}

describe("address buckets", () => {
  it("keep IPv4 as is and count IPv6 by its /64, however it is written", () => {
    expect(bucketOf("192.0.2.1")).toBe("v4:192.0.2.1");
    expect(bucketOf("2001:db8:1:2::1")).toBe("v6:2001:db8:1:2::/64");
    expect(bucketOf("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).toBe("v6:2001:db8:1:2::/64");
    expect(bucketOf("2001:db8:1:3::1")).toBe("v6:2001:db8:1:3::/64");
    expect(bucketOf("::1")).toBe("v6:0:0:0:0::/64");
    expect(bucketOf("2001:db8::")).toBe("v6:2001:db8:0:0::/64");
    expect(bucketOf("fe80::1%eth0")).toBe("v6:fe80:0:0:0::/64");
    expect(bucketOf("64:ff9b::192.0.2.1")).toBe("v6:64:ff9b:0:0::/64");
    // An IPv4-mapped IPv6 address is the IPv4 address.
    expect(bucketOf("::ffff:192.0.2.1")).toBe("v4:192.0.2.1");
  });

  it("put a missing or unreadable address in the one strict bucket", () => {
    for (const raw of [undefined, "", "unknown", "999.1.1.1", "1.2.3", "2001:db8::1::2", "1:2:3:4:5:6:7:8:9", "gggg::1", "01.2.3.4"]) {
      expect(bucketOf(raw), String(raw)).toBe(NO_ADDRESS);
    }
  });
});

describe("an address's failures", () => {
  it("are counted for the whole IPv6 /64: a new address in it doesn't start afresh", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 7; i++) statuses.push(await fail(`2001:db8:aa:1::${i.toString(16)}`));
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another /64 is another subscriber.
    expect(await fail("2001:db8:aa:2::1")).toBe(401);
  });

  it("without an address, share one strict bucket: 4 failures (one account's limit), whoever sends them", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await fail(null));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(await fail("unknown")).toBe(429);
    expect(await fail("192.0.2.50")).toBe(401);
  });
});
