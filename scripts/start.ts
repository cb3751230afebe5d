/**
 * `npm start`: migrations, demo data on an empty database (a second start keeps your changes),
 * then `wrangler dev` on http://localhost:8787 (PORT overrides).
 */
import { ensureDevVars, prepareDatabase, startDev } from "./local.ts";

const port = Number(process.env.PORT) || 8787;
ensureDevVars();
const { seeded } = await prepareDatabase();
console.log(seeded ? "Local database created with the demo data." : "Local database kept as it was.");
const server = await startDev({ port, inheritOutput: true });
console.log(`\nReady: http://localhost:${port}  (sign in as admin@riverbend.test / demo-password-2026)\n`);
const stop = () => server.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.process.on("exit", (code) => process.exit(code ?? 0));
