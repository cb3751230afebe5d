import { DurableObject } from "cloudflare:workers";

/** One per client: orders that client's log entries. */
export class ClientLog extends DurableObject<Env> {}
