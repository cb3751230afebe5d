import { applyD1Migrations, env } from "cloudflare:test";
import { seedDemoData } from "./fixtures";

// Storage is isolated per test file: each file starts from the migrations and the demo data.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await seedDemoData();
