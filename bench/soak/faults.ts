/**
 * The soak's fault plan (bench/soak/worker.ts): which faults are on and how often, switchable
 * mid-run. Set at start from the SOAK_FAULTS var ("d1-refuse=0.05,d1-slow=0.1,slow-ms=150,
 * email-refuse=0.3") and changed with POST /__soak/faults (the same string). The ClientLog reset
 * has no share: the driver asks for each reset (POST /__soak/client-log/:clientId/reset).
 */
/** The plan (its D1 part is what faulty-d1.ts takes; kept apart so Node-side code needn't load it). */
export interface FaultPlan {
  /** Share (0–1) of writes D1 refuses. */
  refuseWrites: number;
  /** Share (0–1) of D1 calls delayed by `slowMs`. */
  slowShare: number;
  slowMs: number;
  /** Share (0–1) of emails the EMAIL binding refuses. */
  refuseEmail: number;
}

export const NO_FAULTS: FaultPlan = { refuseWrites: 0, slowShare: 0, slowMs: 0, refuseEmail: 0 };

/** Kinds of fault injected, as counted and as named on a response (X-Soak-Injected). */
export type FaultKind = "d1-refused" | "d1-slow" | "email-refused" | "client-log-reset";

/** The message of an injected email refusal and a reset (the worker recognises faults by it). */
export const INJECTED_EMAIL = "soak-injected: the email binding refused";
export const INJECTED_RESET = "soak-injected: ClientLog reset";

/** Parses "d1-refuse=0.05,d1-slow=0.1,slow-ms=150,email-refuse=0.3" (missing keys: off). */
export function parseFaultPlan(text: string | undefined): FaultPlan {
  const plan = { ...NO_FAULTS };
  for (const part of (text ?? "").split(",")) {
    const [key, raw] = part.split("=").map((s) => s.trim());
    const n = Number(raw);
    if (!key || !Number.isFinite(n)) continue;
    if (key === "d1-refuse") plan.refuseWrites = n;
    else if (key === "d1-slow") plan.slowShare = n;
    else if (key === "slow-ms") plan.slowMs = n;
    else if (key === "email-refuse") plan.refuseEmail = n;
  }
  if (plan.slowShare > 0 && plan.slowMs === 0) plan.slowMs = 150;
  return plan;
}

/** The plan as the same string. */
export function formatFaultPlan(p: FaultPlan): string {
  return `d1-refuse=${p.refuseWrites},d1-slow=${p.slowShare},slow-ms=${p.slowMs},email-refuse=${p.refuseEmail}`;
}
