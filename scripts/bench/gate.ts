/**
 * Gate benchmark: `requireMembership` of `@stampbook/sdk/server` (the entitlement verified offline
 * against the cached JWKS) against a gate that asks the API (`GET /v1/me`) on every request, in the
 * same run on the same machine. A local Hardhat chain, the API listening on loopback in this process
 * (SQLite in memory, ownership cache 0 as in tests), one real member with a real entitlement; each
 * gate is driven for the same time with the same number of calls in flight, after a warm-up. The
 * gate remembers tokens it verified (a member's next request skips the signature check, never the
 * expiry check); the rate with every signature checked is reported beside it.
 * Writes bench/results/gate.json (figures, ratio, bar, settings) and exits 1 under the bar.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_TYPES } from "../../test/support/chain.ts";
import { memberOn, SHOP, startGateStack } from "../../test/support/gate.ts";
import { createStampbookServer } from "../../sdk/src/server/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BAR = 20;
const settings = { durationMs: 3_000, warmupMs: 1_000, inFlight: 16, requirement: { level: "Silver" } };

/** Calls per second of `call`, `inFlight` at a time, for `ms`. */
async function rate(call: () => Promise<boolean>, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) {
      if (!(await call())) throw new Error("the gate refused a member who qualifies");
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: settings.inFlight }, worker));
  return done / ((performance.now() - started) / 1000);
}

const stack = await startGateStack({ logLevel: "silent" });
try {
  const { server } = stack;
  await server.store.setLevels(server.brand.id, [{ key: "green", name: "Green", minPoints: 0 }, { key: "silver", name: "Silver", minPoints: 100 }], new Date().toISOString());
  const { client, account } = await memberOn(stack);
  await stack.chain.mint(account.address, DEMO_TYPES.gold);
  const { token } = await client.getEntitlement();
  const session = client.session!.token;

  const gate = createStampbookServer({ apiUrl: stack.apiUrl, brand: server.brand.id, audience: SHOP });
  const page = new Request(`${SHOP}/members`, { headers: { cookie: `stampbook=${token}` } });
  const offline = async () => (await gate.requireMembership(page, settings.requirement)).ok;

  // Every token's signature checked, none remembered: the first request of each member.
  const uncachedGate = createStampbookServer({ apiUrl: stack.apiUrl, brand: server.brand.id, audience: SHOP, cacheSize: 0 });
  const uncached = async () => (await uncachedGate.requireMembership(page, settings.requirement)).ok;

  // The usual alternative: ask the API who the member is on every request (keep-alive), and judge the level from its answer.
  const viaApi = async () => {
    const response = await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${session}` } });
    if (response.status !== 200) return false;
    const me = (await response.json()) as { loyalty: { brandId: string; level: { key: string } | null }[] };
    return me.loyalty.find((l) => l.brandId === server.brand.id)?.level?.key === "silver";
  };

  await rate(offline, settings.warmupMs);
  const offlinePerSecond = await rate(offline, settings.durationMs);
  await rate(uncached, settings.warmupMs);
  const uncachedPerSecond = await rate(uncached, settings.durationMs);
  await rate(viaApi, settings.warmupMs);
  const apiPerSecond = await rate(viaApi, settings.durationMs);

  const ratio = offlinePerSecond / apiPerSecond;
  const results = {
    gate_offline_per_second: Math.round(offlinePerSecond),
    gate_offline_signature_checked_per_second: Math.round(uncachedPerSecond),
    gate_api_per_second: Math.round(apiPerSecond),
    gate_offline_vs_api: Number(ratio.toFixed(1)),
    bar: { gate_offline_vs_api: BAR },
    settings: { ...settings, api: "in this process, loopback HTTP, SQLite in memory, OWNERSHIP_CACHE_MS=0, Hardhat chain in process", jwks: "fetched once, cached", cache: "verified tokens remembered (default 1000); the signature-checked figure with none" },
  };
  await mkdir(join(root, "bench", "results"), { recursive: true });
  await writeFile(join(root, "bench", "results", "gate.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`requireMembership offline   ${results.gate_offline_per_second.toLocaleString("en").padStart(9)} /s`);
  console.log(`  every signature checked   ${results.gate_offline_signature_checked_per_second.toLocaleString("en").padStart(9)} /s`);
  console.log(`gate asking GET /v1/me      ${results.gate_api_per_second.toLocaleString("en").padStart(9)} /s`);
  console.log(`gate_offline_vs_api         ${results.gate_offline_vs_api.toString().padStart(9)} x  (bar >= ${BAR}: ${ratio >= BAR ? "ok" : "UNDER"})`);
  console.log("wrote bench/results/gate.json");
  if (ratio < BAR) process.exitCode = 1;
} finally {
  await stack.close();
}
