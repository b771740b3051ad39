/**
 * Two API processes (`node server/main.ts`) on one PostgreSQL database and one local chain, the way a
 * deployment scales out: whatever must hold once holds across both. A sign-in nonce is good for one
 * session whichever instance sees it; 2,000 concurrent redemptions spread over both leave exactly a
 * perk's total, each with its own code; a drop's total cap holds, on chain too, and concurrent mints
 * from both with the brand's one minter key all go through; a sign-out on one ends the session on
 * the other within SESSION_CACHE_MS; a brand's change on one shows on the other within the list
 * cache time (at most 1 s, README's Configuration).
 *
 * Everything is set up through the APIs as README's Tenancy section describes: the operator creates
 * the brand, the collection's admin signs its registration, the brand supplies its minter key and
 * creates its offers. Skipped with a loud line where PostgreSQL cannot be reached, never under CI=true.
 */
import { randomUUID } from "node:crypto";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { freePort } from "../../scripts/free-port.ts";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../scripts/throwaway-database.ts";
import { startChainServer, type ChainServer } from "../support/chain-server.ts";
import { inParallel, startApiProcess, type ApiAnswer, type ApiProcess } from "../support/api-process.ts";
import { expectProblem } from "../support/problems.ts";
import { POSTGRES_SKIPS, postgresForTests } from "../support/services.ts";
import { createBrandHttp, expectStatus, registerCollectionHttp, setMinterHttp, signedSignIn, signInHttp } from "../support/tenancy-http.ts";

const STAMP = 3n; // the demo's journey stamp: a transferable collectible, 10,000 max
const SESSION_CACHE_MS = 500;
/** README: offer lists are reused for at most OWNERSHIP_CACHE_MS and at most 1 s. Holdings stay cached longer here, so only the 1 s bound can explain a quick change. */
const OWNERSHIP_CACHE_MS = 5_000;
const LIST_CACHE_BOUND_MS = 1_000;
/** What a loaded two-core machine may add to a bound: polling, scheduling, a request in flight. */
const MARGIN_MS = 750;

const MEMBERS = 200;
const ATTEMPTS = 2_000;
const IN_FLIGHT = 64;
const PER_MEMBER = 5;
const TOTAL = 700;

const OPERATOR_TOKEN = `operator-${randomUUID().replaceAll("-", "")}`;
const SHARED_SECRETS = {
  AUTH_SECRET: `auth-secret-${randomUUID()}`,
  MINTER_KEY_SECRET: `minter-key-secret-${randomUUID()}`,
};

const postgresUrl = postgresForTests("two API instances on one PostgreSQL (test/e2e/instances.test.ts)");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codeOf = (answer: ApiAnswer): string | undefined => (answer.headers["content-type"]?.toString().startsWith("application/problem+json") ? answer.json().code : undefined);

/** Polls `probe` every 20 ms until it is true or `limitMs` passed; returns the ms it took, or null if it never was. */
async function timeUntil(probe: () => Promise<boolean>, limitMs: number, since = performance.now()): Promise<number | null> {
  for (;;) {
    if (await probe()) return performance.now() - since;
    if (performance.now() - since > limitMs) return null;
    await sleep(20);
  }
}

describe.skipIf(postgresUrl === null)(`Two API instances on one PostgreSQL (${POSTGRES_SKIPS})`, () => {
  let database: ThrowawayDatabase | undefined;
  let chainServer: ChainServer | undefined;
  const instances: ApiProcess[] = [];
  let a: ApiProcess;
  let b: ApiProcess;
  /** The instance that is not `api`. */
  const other = (api: ApiProcess) => (api === a ? b : a);

  let collection: Address;
  let publicClient: ChainServer["publicClient"];
  let apiKey: string;
  const members: PrivateKeyAccount[] = Array.from({ length: MEMBERS }, () => privateKeyToAccount(generatePrivateKey()));
  const tokens: string[] = [];

  beforeAll(async () => {
    // A database of its own on the run's server: server/main.ts takes no schema.
    database = await createThrowawayDatabase(postgresUrl!, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_instances" });

    // The chain, in this process; the demo collection on it (dev account 0 is its admin and a minter).
    chainServer = await startChainServer();
    const { rpcUrl, admin: adminWallet } = chainServer;
    ({ collection, publicClient } = chainServer);
    // Every member holds one stamp, which the perks below require.
    for (let i = 0; i < MEMBERS; i += 100) {
      const recipients = members.slice(i, i + 100).map((m) => m.address);
      const hash = await adminWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "airdrop", args: [STAMP, recipients, 1n] });
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    }

    // Two instances, started at once on the empty database (one applies the migrations, the other
    // waits for it). They share the store, the chain and the secrets, and sign-in messages name
    // the same site (SIWE_URI), as instances behind one load balancer do.
    const [portA, portB] = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: "8",
      RPC_URL: rpcUrl,
      CHAIN_ID: "31337",
      LOG_LEVEL: "warn",
      AUTH_RATE_LIMIT_PER_MINUTE: "1000000",
      OPERATOR_TOKEN,
      ...SHARED_SECRETS,
      SIWE_URI: `http://localhost:${portA}`,
      SESSION_CACHE_MS: String(SESSION_CACHE_MS),
      OWNERSHIP_CACHE_MS: String(OWNERSHIP_CACHE_MS),
    };
    const started = await Promise.allSettled([startApiProcess("instance A", { ...env, PORT: String(portA) }), startApiProcess("instance B", { ...env, PORT: String(portB) })]);
    for (const s of started) if (s.status === "fulfilled") instances.push(s.value);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    [a, b] = instances as [ApiProcess, ApiProcess];

    // The brand onboards across both instances: created on A, its collection registered on B, its
    // minter (dev account 0's key, which holds MINTER_ROLE) supplied on A.
    ({ apiKey } = await createBrandHttp(a, OPERATOR_TOKEN, "Cross-instance Coffee"));
    expectStatus(await registerCollectionHttp(b, apiKey, devAccount(0).account, collection), "registering the collection", [201]);
    await setMinterHttp(a, apiKey, devAccount(0).privateKey);

    // Members sign in on either instance; a session works on both.
    await inParallel(MEMBERS, 16, async (i) => {
      tokens[i] = await signInHttp(i % 2 === 0 ? a : b, members[i]!);
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map((api) => api.stop()));
    // Warnings and errors the instances logged (LOG_LEVEL=warn), to read next to a failure.
    for (const api of instances) if (api.output().trim() !== "") console.warn(`${api.name} logged:\n${api.output().slice(-4_000)}`);
    await chainServer?.server.close();
    await database?.drop();
  });

  it("a sign-in nonce is good for one session across both instances, whichever issued it", async () => {
    // Sequentially: issued by A, used on B; then neither instance takes it again.
    const account = privateKeyToAccount(generatePrivateKey());
    const signed = await signedSignIn(a, account);
    expect((await b.call("POST", "/v1/auth/verify", { body: signed })).statusCode).toBe(200);
    expectProblem(await a.call("POST", "/v1/auth/verify", { body: signed }), 401, "siwe_nonce_invalid");
    expectProblem(await b.call("POST", "/v1/auth/verify", { body: signed }), 401, "siwe_nonce_invalid");

    // Concurrently: each message sent to both at the same moment. Exactly one answer starts a session.
    for (let round = 0; round < 10; round++) {
      const issuer = round % 2 === 0 ? a : b;
      const message = await signedSignIn(issuer, privateKeyToAccount(generatePrivateKey()));
      const answers = await Promise.all([a.call("POST", "/v1/auth/verify", { body: message }), b.call("POST", "/v1/auth/verify", { body: message })]);
      expect(answers.map((r) => r.statusCode).sort(), answers.map((r) => r.body).join("\n")).toEqual([200, 401]);
      expectProblem(answers.find((r) => r.statusCode === 401)!, 401, "siwe_nonce_invalid");
    }

    // A burst of replays: 20 signed messages, each sent twice to each instance, all at once, in
    // opposite orders on the two instances (as a replay from two places would arrive).
    const messages = await Promise.all(Array.from({ length: 20 }, (_, i) => signedSignIn(i % 2 === 0 ? a : b, privateKeyToAccount(generatePrivateKey()))));
    const sends = [
      ...messages.flatMap((m, i) => [{ api: a, i, m }, { api: a, i, m }]),
      ...messages.toReversed().flatMap((m, j) => [{ api: b, i: messages.length - 1 - j, m }, { api: b, i: messages.length - 1 - j, m }]),
    ];
    const answers = await Promise.all(sends.map(async ({ api, i, m }) => ({ i, answer: await api.call("POST", "/v1/auth/verify", { body: m }) })));
    for (let i = 0; i < messages.length; i++) {
      const mine = answers.filter((x) => x.i === i).map((x) => x.answer);
      expect(mine.map((r) => r.statusCode).sort(), `message ${i}: ${mine.map((r) => r.body).join("\n")}`).toEqual([200, 401, 401, 401]);
      for (const r of mine.filter((r) => r.statusCode === 401)) expect(codeOf(r)).toBe("siwe_nonce_invalid");
    }
  });

  it(`${ATTEMPTS.toLocaleString("en")} concurrent redemptions spread over both instances leave exactly the perk's total of ${TOTAL}, each with its own code`, async () => {
    const perk = expectStatus(
      await a.call("POST", "/v1/admin/perks", {
        token: apiKey,
        body: { title: "Stamp holders' tasting", rule: { type: "holds", collection, tokenId: STAMP.toString() }, limits: { perMember: PER_MEMBER, total: TOTAL } },
      }),
      "creating the perk",
      [201],
    );
    type Attempt = { member: number; key: string; api: ApiProcess; answer?: ApiAnswer; twin?: ApiAnswer };
    // Attempt r is member r % MEMBERS's (r / MEMBERS)-th; each member alternates between the
    // instances; every tenth attempt is also sent to the other instance at the same moment, with
    // the same key (a client retrying elsewhere before the first answer came back).
    const attempts: Attempt[] = Array.from({ length: ATTEMPTS }, (_, r) => {
      const member = r % MEMBERS;
      const round = Math.floor(r / MEMBERS);
      return { member, key: `burst-${r}`, api: (member + round) % 2 === 0 ? a : b };
    });
    const redeem = (api: ApiProcess, t: Attempt) => api.call("POST", `/v1/perks/${perk.id}/redeem`, { token: tokens[t.member]!, headers: { "idempotency-key": t.key } });
    const started = performance.now();
    await inParallel(ATTEMPTS, IN_FLIGHT, async (r) => {
      const t = attempts[r]!;
      if (r % 10 === 0) [t.answer, t.twin] = await Promise.all([redeem(t.api, t), redeem(other(t.api), t)]);
      else t.answer = await redeem(t.api, t);
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`${ATTEMPTS + ATTEMPTS / 10} redemption requests over two instances in ${seconds.toFixed(1)} s`);

    // No 5xx, nothing but a redemption or a limit; a twin pair agrees: one redemption (201 and its
    // replay, 200) or both refused.
    const created = new Map<string, { member: number; key: string; code: string; api: ApiProcess }>();
    const refusals: Record<string, number> = {};
    for (const t of attempts) {
      const answers = [[t.api, t.answer!] as const, ...(t.twin ? [[other(t.api), t.twin] as const] : [])];
      for (const [api, answer] of answers) {
        expect([200, 201, 409], `${t.key}: ${answer.body}`).toContain(answer.statusCode);
        if (answer.statusCode === 409) {
          const code = expectProblem(answer, 409, codeOf(answer)!).code;
          expect(["total_limit_reached", "member_limit_reached"]).toContain(code);
          refusals[code] = (refusals[code] ?? 0) + 1;
        }
        if (answer.statusCode === 201) {
          const redemption = answer.json();
          expect(created.has(redemption.id)).toBe(false);
          created.set(redemption.id, { member: t.member, key: t.key, code: redemption.code, api });
        }
      }
      if (t.twin === undefined) expect(t.answer!.statusCode, t.answer!.body).not.toBe(200);
      else {
        const pair = [t.answer!, t.twin];
        const statuses = pair.map((r) => r.statusCode).sort();
        if (statuses[0] === 409) expect(statuses, pair.map((r) => r.body).join("\n")).toEqual([409, 409]);
        else {
          expect(statuses, pair.map((r) => r.body).join("\n")).toEqual([200, 201]);
          expect(pair[0]!.json()).toEqual(pair[1]!.json());
        }
      }
    }
    expect(created.size).toBe(TOTAL);
    expect(new Set([...created.values()].map((c) => c.code)).size).toBe(TOTAL);
    expect(refusals.total_limit_reached).toBeGreaterThan(0);
    // Both instances created some: the cap really held across them.
    expect([...created.values()].filter((c) => c.api === a).length).toBeGreaterThan(0);
    expect([...created.values()].filter((c) => c.api === b).length).toBeGreaterThan(0);
    const perMember = new Map<number, number>();
    for (const c of created.values()) perMember.set(c.member, (perMember.get(c.member) ?? 0) + 1);
    expect(Math.max(...perMember.values())).toBeLessThanOrEqual(PER_MEMBER);

    // The brand's list, on either instance, holds exactly those.
    for (const api of [a, b]) {
      const listed: { id: string; code: string }[] = [];
      let cursor: string | null = null;
      do {
        const page = expectStatus(await api.call("GET", `/v1/admin/redemptions?perk=${perk.id}&limit=100${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`, { token: apiKey }), "listing redemptions");
        listed.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(listed).toHaveLength(TOTAL);
      expect(new Set(listed.map((r) => r.id))).toEqual(new Set(created.keys()));
      expect(new Set(listed.map((r) => r.code)).size).toBe(TOTAL);
    }

    // A retry with the same key on the other instance is the same redemption (200), not a new one.
    const retried = [...created.entries()].slice(0, 50);
    await Promise.all(
      retried.map(async ([id, c]) => {
        const again = await other(c.api).call("POST", `/v1/perks/${perk.id}/redeem`, { token: tokens[c.member]!, headers: { "idempotency-key": c.key } });
        expect(again.statusCode, again.body).toBe(200);
        expect(again.json()).toMatchObject({ id, code: c.code, perkId: perk.id });
      }),
    );
    // And a new key finds the total reached, on either instance.
    for (const api of [a, b]) {
      expectProblem(await api.call("POST", `/v1/perks/${perk.id}/redeem`, { token: tokens[MEMBERS - 1]!, headers: { "idempotency-key": `late-${api.port}` } }), 409, "total_limit_reached");
    }
    const listedAfter = expectStatus(await b.call("GET", `/v1/admin/redemptions?perk=${perk.id}&limit=1`, { token: apiKey }), "listing redemptions");
    expect(listedAfter.items).toHaveLength(1);
  });

  it("a drop's total cap holds across both instances, on chain too", async () => {
    const CAP = 5;
    const CLAIMANTS = 16;
    const drop = expectStatus(
      await b.call("POST", "/v1/admin/drops", {
        token: apiKey,
        body: { title: "Five extra stamps", collection, tokenId: STAMP.toString(), mode: "mint", rule: null, limits: { perMember: 1, total: CAP } },
      }),
      "creating the drop",
      [201],
    );
    const balance = (who: Address) => publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [who, STAMP] });
    const mintedSoFar = () => publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "totalMinted", args: [STAMP] });
    const claimants = members.slice(-CLAIMANTS);
    const tokenOf = (i: number) => tokens[MEMBERS - CLAIMANTS + i]!;
    const claim = (api: ApiProcess, i: number) => api.call("POST", `/v1/drops/${drop.id}/claim`, { token: tokenOf(i), headers: { "idempotency-key": `drop-${i}` } });
    const before = { total: await mintedSoFar(), balances: await Promise.all(claimants.map((m) => balance(m.address))) };

    // One claim on each instance first: both mint with the brand's one minter key.
    const first = [await claim(a, 0), await claim(b, 1)];
    for (const r of first) expect(r.statusCode, r.body).toBe(201);
    // Then the rest race for the last places, spread over both instances, all at once.
    const rest = await Promise.all(claimants.slice(2).map((_, j) => claim(j % 2 === 0 ? a : b, j + 2)));
    const answers = [...first, ...rest];
    const won = answers.flatMap((r, i) => (r.statusCode === 201 ? [i] : []));
    expect(won, answers.map((r) => `${r.statusCode} ${r.body}`).join("\n")).toHaveLength(CAP);
    for (const i of won) expect(answers[i]!.json()).toMatchObject({ dropId: drop.id, status: "minted", member: claimants[i]!.address });
    for (const [i, r] of answers.entries()) if (!won.includes(i)) expectProblem(r, 409, "total_limit_reached");

    expect((await mintedSoFar()) - before.total).toBe(BigInt(CAP));
    const after = await Promise.all(claimants.map((m) => balance(m.address)));
    after.forEach((v, i) => expect(v - before.balances[i]!, `claimant ${i}`).toBe(won.includes(i) ? 1n : 0n));

    for (const api of [a, b]) {
      const claims = expectStatus(await api.call("GET", `/v1/admin/claims?drop=${drop.id}&limit=100`, { token: apiKey }), "listing claims");
      expect(claims.items.map((c: { status: string }) => c.status)).toEqual(Array(CAP).fill("minted"));
      // A late claimant is refused on either instance.
      expectProblem(await api.call("POST", `/v1/drops/${drop.id}/claim`, { token: tokens[0]!, headers: { "idempotency-key": `drop-late-${api.port}` } }), 409, "total_limit_reached");
    }
  });

  it("concurrent claims of a mint drop spread over both instances all mint: the brand's one minter key does not trip over itself", async () => {
    // Each instance queues its own sends of a minter key (server/chain/sender/sender.ts); two instances
    // sending with the same key at once must still get every claim mined, not answer 502.
    const CLAIMANTS = 24;
    const drop = expectStatus(
      await a.call("POST", "/v1/admin/drops", {
        token: apiKey,
        body: { title: "A stamp for everyone", collection, tokenId: STAMP.toString(), mode: "mint", rule: null, limits: { perMember: 1, total: null } },
      }),
      "creating the drop",
      [201],
    );
    const mintedSoFar = () => publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "totalMinted", args: [STAMP] });
    const before = await mintedSoFar();
    const answers = await Promise.all(
      Array.from({ length: CLAIMANTS }, (_, i) => (i % 2 === 0 ? a : b).call("POST", `/v1/drops/${drop.id}/claim`, { token: tokens[i]!, headers: { "idempotency-key": `everyone-${i}` } })),
    );
    const failed = answers.filter((r) => r.statusCode !== 201);
    expect(failed.map((r) => `${r.statusCode} ${codeOf(r)}: ${r.body.slice(0, 300)}`), `${failed.length} of ${CLAIMANTS} claims were not minted`).toEqual([]);
    for (const r of answers) expect(r.json()).toMatchObject({ dropId: drop.id, status: "minted" });
    expect((await mintedSoFar()) - before).toBe(BigInt(CLAIMANTS));
  });

  it("a sign-out on one instance ends the session on the other within SESSION_CACHE_MS", async () => {
    const token = await signInHttp(a, privateKeyToAccount(generatePrivateKey()));
    // B trusts the session now (and caches that it is live); so does A.
    for (const api of [b, a, b]) expect((await api.call("GET", "/v1/me", { token })).statusCode).toBe(200);

    expect((await a.call("POST", "/v1/auth/logout", { token })).statusCode).toBe(204);
    const signedOut = performance.now();
    expectProblem(await a.call("GET", "/v1/me", { token }), 401, "session_expired");
    const took = await timeUntil(async () => (await b.call("GET", "/v1/me", { token })).statusCode === 401, SESSION_CACHE_MS + 5_000, signedOut);
    expect(took, "B still accepted the signed-out session").not.toBeNull();
    expect(took!).toBeLessThanOrEqual(SESSION_CACHE_MS + MARGIN_MS);
    expectProblem(await b.call("GET", "/v1/me", { token }), 401, "session_expired");
    // And logging out on B again changes nothing: the session stays ended on both.
    expectProblem(await b.call("POST", "/v1/auth/logout", { token }), 401, "session_expired");
  });

  it("a brand's perk change on one instance shows on the other within the list cache time (at most 1 s)", async () => {
    const perk = expectStatus(
      await a.call("POST", "/v1/admin/perks", { token: apiKey, body: { title: "Cupping, first edition", rule: { type: "holds", collection, tokenId: STAMP.toString() } } }),
      "creating the perk",
      [201],
    );
    const token = tokens[0]!;
    const titleOn = async (api: ApiProcess) => {
      const listing = expectStatus(await api.call("GET", "/v1/perks", { token }), "listing perks");
      return (listing.items as { id: string; title: string }[]).find((p) => p.id === perk.id)?.title;
    };
    // B lists it (and caches its offer list).
    expect(await timeUntil(async () => (await titleOn(b)) === "Cupping, first edition", LIST_CACHE_BOUND_MS + 5_000)).not.toBeNull();
    expect(await titleOn(b)).toBe("Cupping, first edition");

    expectStatus(await a.call("PATCH", `/v1/admin/perks/${perk.id}`, { token: apiKey, body: { title: "Cupping, second edition" } }), "changing the perk");
    const changed = performance.now();
    expect(await titleOn(a)).toBe("Cupping, second edition"); // the instance that wrote it: at once
    const took = await timeUntil(async () => (await titleOn(b)) === "Cupping, second edition", LIST_CACHE_BOUND_MS + 5_000, changed);
    expect(took, "B never showed the change").not.toBeNull();
    expect(took!).toBeLessThanOrEqual(LIST_CACHE_BOUND_MS + MARGIN_MS);
  });
});
