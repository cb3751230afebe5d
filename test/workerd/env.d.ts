declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}

/** Files imported as text (Vite's `?raw`), e.g. the README in the roles test. */
declare module "*?raw" {
  const text: string;
  export default text;
}
