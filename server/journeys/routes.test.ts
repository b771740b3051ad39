/**
 * Journeys end to end: a real (in-process) chain with the demo collection, the API built by
 * `build()`, brands defining journeys with their API key and members signing in with their wallets.
 *
 * Long because journeys are one flow (define, sign in, complete steps, award) whose cases share
 * one chain and one server; split, each file would start its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount, type LocalAccount } from "viem/accounts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { signedSiwe, siweSignIn, viaInject } from "../../test/support/siwe.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";

let chain: DemoChain;
let server: TestServer;
let C: Address;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
  C = getAddress(chain.collection.address);
});
afterAll(async () => server?.close());

const sessions = new Map<string, string>();
async function session(signer: WalletClient | LocalAccount): Promise<string> {
  const address = "account" in signer ? signer.account!.address : signer.address;
  let token = sessions.get(address);
  if (token === undefined) {
    const answer = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: await signedSiwe(viaInject(server.app), signer) });
    expect(answer.statusCode, answer.body).toBe(200);
    token = answer.json().token as string;
    sessions.set(address, token);
  }
  return token;
}
const wallet = (i: number) => chain.members[i]!;
const fresh = () => privateKeyToAccount(generatePrivateKey());

const stamp = () => ({ collection: C, tokenId: DEMO_TYPES.stamp.toString(), amount: "2" });
const quiz = (id = "quiz") => ({ id, title: "Know your beans", kind: "quiz", questions: [{ prompt: "Where?", choices: ["Kenya", "Iceland"], answer: 0 }, { prompt: "Roast?", choices: ["light", "dark", "none"], answer: 2 }] });
const shared = (id = "word") => ({ id, title: "Say the word", kind: "code", mode: "shared", code: "BEANS-2026" });

async function admin(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, apiKey = server.apiKey, headers: Record<string, string> = {}) {
  return server.app.inject({ method, url, headers: { ...bearer(apiKey), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function createJourney(body: Record<string, unknown>, apiKey = server.apiKey) {
  const response = await admin("POST", "/v1/admin/journeys", { title: "Coffee 101", stamp: stamp(), ...body }, apiKey);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; steps: { id: string }[]; [k: string]: unknown };
}

async function list(who: WalletClient | LocalAccount, query = "") {
  const response = await server.app.inject({ method: "GET", url: `/v1/journeys${query}`, headers: bearer(await session(who)) });
  expect(response.statusCode, response.body).toBe(200);
  return response;
}

async function memberJourney(who: WalletClient | LocalAccount, id: string) {
  const item = (await list(who)).json().items.find((j: { id: string }) => j.id === id);
  expect(item, `journey ${id} listed`).toBeDefined();
  return item;
}

async function complete(who: WalletClient | LocalAccount, journeyId: string, stepId: string, body: unknown = {}) {
  return server.app.inject({ method: "POST", url: `/v1/journeys/${journeyId}/steps/${stepId}/complete`, headers: bearer(await session(who)), payload: body as object });
}

let keys = 0;
async function event(body: Record<string, unknown>, key: string | null = `event-${++keys}`, apiKey = server.apiKey) {
  return admin("POST", "/v1/admin/events", body, apiKey, key === null ? {} : { "idempotency-key": key });
}

describe("brands define journeys", () => {
  it("creates one with every kind of step and sees all of it, answers and shared code included", async () => {
    const created = await createJourney({
      description: "Learn and earn",
      ordered: false,
      steps: [
        quiz(),
        { id: "visit", title: "Visit a store", kind: "code", mode: "batch" },
        shared(),
        { id: "buy", title: "Buy a latte", kind: "event", event: "purchase", match: { sku: "latte" } },
        { id: "hold", title: "Hold a stamp", kind: "hold", rule: { type: "holds", collection: C, tokenId: "3" } },
        { id: "invite", title: "Bring a friend", kind: "referral" },
      ],
    });
    expect(created).toMatchObject({
      brandId: server.brand.id,
      title: "Coffee 101",
      description: "Learn and earn",
      startsAt: null,
      endsAt: null,
      ordered: false,
      stamp: { collection: C, tokenId: "3", amount: "2" },
    });
    expect(created.steps).toEqual([
      quiz(),
      { id: "visit", title: "Visit a store", kind: "code", mode: "batch" },
      shared(),
      { id: "buy", title: "Buy a latte", kind: "event", event: "purchase", match: { sku: "latte" } },
      { id: "hold", title: "Hold a stamp", kind: "hold", rule: { type: "holds", collection: C, tokenId: "3" } },
      { id: "invite", title: "Bring a friend", kind: "referral" },
    ]);
    expect((await admin("GET", `/v1/admin/journeys/${created.id}`)).json()).toEqual(created);
    expect((await admin("GET", "/v1/admin/journeys")).json().items.map((j: { id: string }) => j.id)).toContain(created.id);

    const patched = await admin("PATCH", `/v1/admin/journeys/${created.id}`, { title: "Coffee 102", endsAt: "2099-01-01T00:00:00Z" });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ title: "Coffee 102", endsAt: "2099-01-01T00:00:00.000Z", steps: created.steps });
  });

  it("warns about a shared code a guesser could find, in words with the limits, and saves it as sent", async () => {
    const strong = { ...shared("strong"), code: "K7QP-3XMD-W2" };
    const created = await createJourney({ steps: [shared(), strong, { id: "visit", title: "Visit a store", kind: "code", mode: "batch" }] });
    expect(created.steps).toEqual([shared(), strong, { id: "visit", title: "Visit a store", kind: "code", mode: "batch" }]);
    expect(created.warnings).toEqual([{ stepId: "word", code: "shared_code_guessable", message: expect.any(String) }]);
    const [warning] = created.warnings as { message: string }[];
    expect(warning!.message).toMatch(/^“BEANS-2026” is easy to guess \(a word and a year\): it is one of about 10 million likely codes\. /);
    expect(warning!.message).toContain(`At this deployment's limits (${server.config.stepAttemptsPerMinute} tries a minute per member, ${server.config.stepAttemptsPerIpPerMinute} wrong tries a minute per network address`);
    expect((await admin("GET", `/v1/admin/journeys/${created.id}`)).json().warnings).toEqual(created.warnings);
    expect((await admin("GET", "/v1/admin/journeys")).json().items.find((j: { id: string }) => j.id === created.id).warnings).toEqual(created.warnings);
    // Changed to a strong code, the warning goes.
    const patched = await admin("PATCH", `/v1/admin/journeys/${created.id}`, { steps: [{ ...shared(), code: "R2D7-XKQM-93" }, strong] });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).not.toHaveProperty("warnings");
  });

  it.each([
    [() => ({ steps: [] }), "steps"],
    [() => ({ steps: Array.from({ length: 21 }, (_, i) => quiz(`q${i}`)) }), "steps"],
    [() => ({ steps: [{ ...quiz(), questions: [{ prompt: "?", choices: ["only"], answer: 0 }] }] }), "steps[0].questions[0].choices"],
    [() => ({ steps: [{ ...quiz(), questions: [{ prompt: "?", choices: ["a", "b"], answer: 2 }] }] }), "steps[0].questions[0].answer"],
    [() => ({ steps: [{ ...quiz(), questions: Array.from({ length: 21 }, () => ({ prompt: "?", choices: ["a", "b"], answer: 0 })) }] }), "steps[0].questions"],
    [() => ({ steps: [{ ...quiz(), questions: [{ prompt: "?", choices: ["1", "2", "3", "4", "5", "6", "7", "8", "9"], answer: 0 }] }] }), "steps[0].questions[0].choices"],
    [() => ({ steps: [quiz("a"), quiz("a")] }), "steps[1].id"],
    [() => ({ steps: [{ id: "x", title: "X", kind: "dance" }] }), "steps[0].kind"],
    [() => ({ steps: [{ id: "x", title: "X", kind: "code", mode: "shared" }] }), "steps[0].code"],
    [() => ({ steps: [{ id: "x", title: "X", kind: "event", event: "buy", match: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }] }), "steps[0].match"],
    [() => ({ steps: [{ id: "r1", title: "R", kind: "referral" }, { id: "r2", title: "R", kind: "referral" }] }), "steps[1].kind"],
    [() => ({ steps: [quiz()], startsAt: "2030-01-02T00:00:00Z", endsAt: "2030-01-01T00:00:00Z" }), "endsAt"],
    [() => ({ steps: [quiz()], stamp: { collection: C, tokenId: DEMO_TYPES.gold.toString() } }), "stamp.tokenId"],
    [() => ({ steps: [quiz()], stamp: { collection: `0x${"9".repeat(40)}`, tokenId: "3" } }), "stamp.collection"],
    [() => ({ steps: [quiz()], stamp: { collection: C, tokenId: "3", amount: "0" } }), "stamp.amount"],
    [() => ({ steps: [quiz()], colour: "blue" }), "colour"],
  ] as [() => Record<string, unknown>, string][])("refuses an invalid journey, naming the path (%#)", async (body, path) => {
    // Built when the test runs: the collection's address is known only then.
    const response = await admin("POST", "/v1/admin/journeys", { title: "Bad", stamp: stamp(), ...body() });
    const problem = expectProblem(response, 400, "invalid_journey");
    expect(problem.path).toBe(path);
  });

  it("refuses a hold step's rule as it refuses a perk's (400 invalid_rule, path inside the step): bad grammar, an unserved collection, a level the brand lacks, another brand's data request", async () => {
    const other = await createBrand(server.store, "Requests Elsewhere");
    const { key } = await issueApiKey(server.store, other.id, "tests");
    const published = await admin("POST", "/v1/admin/data-requests", { fields: ["email"], purpose: "their newsletter", retentionDays: 5 }, key);
    expect(published.statusCode, published.body).toBe(201);
    const theirs = published.json().id as string;
    const unserved = getAddress(`0x${"d".repeat(40)}`);
    const refusals: [unknown, string, string, string][] = [
      [{ type: "holds", collection: "nope", tokenId: "1" }, "steps[1].rule.collection", "The rule is not valid", "steps[1].rule.collection: must be a 0x address"],
      [{ type: "holds", collection: unserved, tokenId: "1" }, "steps[1].rule", "The rule reads a collection this server does not serve", `unknown collection ${unserved}`],
      [{ type: "level", min: "diamond" }, "steps[1].rule", "The rule names a level the brand does not have", 'unknown level "diamond"'],
      [{ type: "consent", request: theirs }, "steps[1].rule", "The rule names a data request the brand does not have", `unknown data request "${theirs}"`],
    ];
    const j = await createJourney({ steps: [quiz()] });
    for (const [rule, path, title, detail] of refusals) {
      const steps = [quiz(), { id: "hold", title: "Hold", kind: "hold", rule }];
      expect(expectProblem(await admin("POST", "/v1/admin/journeys", { title: "Bad", stamp: stamp(), steps }), 400, "invalid_rule")).toMatchObject({ path, title, detail });
      expect(expectProblem(await admin("PATCH", `/v1/admin/journeys/${j.id}`, { steps }), 400, "invalid_rule")).toMatchObject({ path, title, detail });
      // What a perk would refuse too.
      expect(expectProblem(await admin("POST", "/v1/admin/perks", { title: "Bad", rule }), 400, "invalid_rule")).toMatchObject({ title });
    }
    expect((await admin("GET", `/v1/admin/journeys/${j.id}`)).json().steps).toHaveLength(1);
  });

  it("fixes the steps once a member has progress, and deletes", async () => {
    const j = await createJourney({ steps: [shared(), quiz()] });
    const changed = await admin("PATCH", `/v1/admin/journeys/${j.id}`, { steps: [shared()] });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await complete(wallet(0), j.id, "word", { code: "beans2026" })).statusCode).toBe(200);
    expectProblem(await admin("PATCH", `/v1/admin/journeys/${j.id}`, { steps: [shared(), quiz()] }), 409, "journey_has_progress");
    expect((await admin("DELETE", `/v1/admin/journeys/${j.id}`)).statusCode).toBe(204);
    expectProblem(await admin("GET", `/v1/admin/journeys/${j.id}`), 404, "journey_not_found");
    expect((await list(wallet(0))).json().items.map((i: { id: string }) => i.id)).not.toContain(j.id);
  });
});

describe("members complete steps", () => {
  it("lists journeys with the stamp in words and never a quiz's answers or a shared code", async () => {
    const j = await createJourney({ steps: [quiz(), shared()] });
    const response = await list(wallet(1));
    const item = response.json().items.find((i: { id: string }) => i.id === j.id);
    expect(item).toEqual({
      id: j.id,
      brandId: server.brand.id,
      title: "Coffee 101",
      description: "",
      startsAt: null,
      endsAt: null,
      status: "open",
      ordered: false,
      stamp: { name: "Journey stamp", image: null, amount: "2", points: "20", collection: C, tokenId: "3" },
      steps: [
        { id: "quiz", title: "Know your beans", kind: "quiz", done: false, completedAt: null, available: true, questions: [{ prompt: "Where?", choices: ["Kenya", "Iceland"] }, { prompt: "Roast?", choices: ["light", "dark", "none"] }] },
        { id: "word", title: "Say the word", kind: "code", done: false, completedAt: null, available: true },
      ],
      completed: false,
      award: null,
    });
    expect(response.body).not.toMatch(/"answer"|BEANS/);
    const done = await complete(wallet(1), j.id, "word", { code: "Beans 2026" });
    expect(done.body).not.toMatch(/"answer"|BEANS/);
  });

  it("a quiz: wrong answers say how many are wrong; right ones complete it", async () => {
    const j = await createJourney({ steps: [quiz(), shared()] });
    const wrong = expectProblem(await complete(wallet(0), j.id, "quiz", { answers: [1, 2] }), 422, "quiz_wrong");
    expect(wrong.wrong).toBe(1);
    expect(wrong.title).toBe("1 of 2 answers are wrong");
    expectProblem(await complete(wallet(0), j.id, "quiz", { answers: [0] }), 400, "validation_failed");
    const right = await complete(wallet(0), j.id, "quiz", { answers: [0, 2] });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json().step).toMatchObject({ id: "quiz", done: true, available: true });
    expect(right.json().journey).toMatchObject({ id: j.id, completed: false, award: null });
    // Again, even with wrong answers: the same state.
    const again = await complete(wallet(0), j.id, "quiz", { answers: [1, 1] });
    expect(again.statusCode).toBe(200);
    expect(again.json().step.completedAt).toBe(right.json().step.completedAt);
  });

  it("batch codes: each once, whoever uses it, in any case and with or without the dash", async () => {
    const j = await createJourney({ steps: [{ id: "visit", title: "Visit", kind: "code", mode: "batch" }] });
    const issued = await admin("POST", `/v1/admin/journeys/${j.id}/steps/visit/codes`, { count: 3 });
    expect(issued.statusCode, issued.body).toBe(201);
    const { batchId, codes } = issued.json() as { batchId: string; codes: string[] };
    expect(batchId).toMatch(/^batch_/);
    expect(codes).toHaveLength(3);
    for (const code of codes) expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(new Set(codes).size).toBe(3);

    const first = await complete(wallet(2), j.id, "visit", { code: codes[0]!.toLowerCase().replace("-", "") });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().journey.completed).toBe(true);
    expectProblem(await complete(wallet(3), j.id, "visit", { code: codes[0] }), 409, "code_used");
    expectProblem(await complete(wallet(3), j.id, "visit", { code: "ABCD-EFGH" }), 422, "code_invalid");
    expect((await complete(wallet(3), j.id, "visit", { code: ` ${codes[1]} ` })).statusCode).toBe(200);

    expectProblem(await admin("POST", `/v1/admin/journeys/${j.id}/steps/visit/codes`, { count: 1001 }), 400, "validation_failed");
    expectProblem(await admin("POST", `/v1/admin/journeys/${j.id}/steps/nope/codes`, { count: 1 }), 404, "step_not_found");
    const sharedJourney = await createJourney({ steps: [shared()] });
    expectProblem(await admin("POST", `/v1/admin/journeys/${sharedJourney.id}/steps/word/codes`, { count: 1 }), 400, "invalid_journey");
  });

  it("a shared code: once per member, every member may use it", async () => {
    const j = await createJourney({ steps: [shared(), quiz()] });
    expectProblem(await complete(wallet(0), j.id, "word", { code: "BEANS2025" }), 422, "code_invalid");
    const first = await complete(wallet(0), j.id, "word", { code: "beans-2026" });
    expect(first.statusCode).toBe(200);
    const again = await complete(wallet(0), j.id, "word", { code: "beans-2026" });
    expect(again.json().step.completedAt).toBe(first.json().step.completedAt);
    expect((await complete(wallet(1), j.id, "word", { code: "BEANS2026" })).statusCode).toBe(200);
  });

  it("an ordered journey locks a step until the ones before it are done", async () => {
    const j = await createJourney({ ordered: true, steps: [quiz(), shared()] });
    const before = await memberJourney(wallet(4), j.id);
    expect(before.steps.map((s: { available: boolean }) => s.available)).toEqual([true, false]);
    const locked = expectProblem(await complete(wallet(4), j.id, "word", { code: "BEANS2026" }), 409, "step_locked");
    expect(locked.waitingFor).toBe("quiz");
    expect((await complete(wallet(4), j.id, "quiz", { answers: [0, 2] })).statusCode).toBe(200);
    const done = await complete(wallet(4), j.id, "word", { code: "BEANS2026" });
    expect(done.statusCode).toBe(200);
    expect(done.json().journey).toMatchObject({ completed: true, award: { status: "pending", txHash: null } });
  });

  it("the window: nothing counts before it opens or after it ends", async () => {
    const soon = await createJourney({ startsAt: new Date(Date.now() + 3_600_000).toISOString(), steps: [shared()] });
    const past = await createJourney({ startsAt: "2020-01-01T00:00:00Z", endsAt: "2020-02-01T00:00:00Z", steps: [shared()] });
    expect(await memberJourney(wallet(0), soon.id)).toMatchObject({ status: "upcoming", steps: [{ available: false }] });
    expect(await memberJourney(wallet(0), past.id)).toMatchObject({ status: "ended", steps: [{ available: false }] });
    const early = expectProblem(await complete(wallet(0), soon.id, "word", { code: "BEANS2026" }), 409, "journey_not_open");
    expect(early.detail).toMatch(/opens at/);
    expectProblem(await complete(wallet(0), past.id, "word", { code: "BEANS2026" }), 409, "journey_not_open");
  });

  it("a hold step is checked on chain when the member asks", async () => {
    const j = await createJourney({ steps: [{ id: "hold", title: "Hold a founder stamp", kind: "hold", rule: { type: "holds", collection: C, tokenId: DEMO_TYPES.founder.toString() } }] });
    const item = await memberJourney(wallet(3), j.id);
    expect(item.steps[0].requires).toMatch(/\S/);
    const refused = expectProblem(await complete(wallet(3), j.id, "hold"), 403, "not_eligible");
    expect(refused.reasons).toEqual([expect.objectContaining({ code: "holds_too_few" })]);
    await chain.mint(wallet(3).account.address, DEMO_TYPES.founder);
    const done = await complete(wallet(3), j.id, "hold");
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().journey.completed).toBe(true);
  });

  it("event and referral steps are not the member's to complete; unknown journeys and steps are 404", async () => {
    const j = await createJourney({ steps: [{ id: "buy", title: "Buy", kind: "event", event: "purchase" }, { id: "friend", title: "Friend", kind: "referral" }] });
    expectProblem(await complete(wallet(0), j.id, "buy"), 409, "step_not_member_completable");
    expectProblem(await complete(wallet(0), j.id, "friend"), 409, "step_not_member_completable");
    expectProblem(await complete(wallet(0), j.id, "nope"), 404, "step_not_found");
    expectProblem(await complete(wallet(0), "jrn_missing", "buy"), 404, "journey_not_found");
  });

  it("many concurrent completions of the last two steps: the journey completes once, with one award", async () => {
    const j = await createJourney({ steps: [quiz(), shared(), quiz("quiz2")] });
    const who = fresh();
    expect((await complete(who, j.id, "quiz", { answers: [0, 2] })).statusCode).toBe(200);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? complete(who, j.id, "word", { code: "BEANS2026" }) : complete(who, j.id, "quiz2", { answers: [0, 2] }))));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
    const item = await memberJourney(who, j.id);
    expect(item).toMatchObject({ completed: true, award: { status: "pending" } });
    const progress = (await admin("GET", `/v1/admin/journeys/${j.id}/progress`)).json();
    expect(progress.items).toEqual([{ member: getAddress(who.address), startedAt: expect.any(String), steps: { quiz: expect.any(String), word: expect.any(String), quiz2: expect.any(String) }, completedAt: expect.any(String), award: { status: "pending", txHash: null } }]);
  });
});

describe("events", () => {
  it("completes the matching event steps of the brand's open journeys, once per key", async () => {
    const j = await createJourney({ steps: [{ id: "latte", title: "Latte", kind: "event", event: "purchase", match: { sku: "latte", size: 2 } }, { id: "any", title: "Anything", kind: "event", event: "purchase" }, { id: "visit", title: "Visit", kind: "event", event: "visit" }] });
    const who = getAddress(wallet(2).account.address);
    const mocha = await event({ type: "purchase", member: who, properties: { sku: "mocha", size: 2 } });
    expect(mocha.statusCode, mocha.body).toBe(202);
    expect(mocha.json().matched).toEqual(expect.arrayContaining([{ journeyId: j.id, stepId: "any" }]));
    expect(mocha.json().matched).not.toContainEqual({ journeyId: j.id, stepId: "latte" });

    const body = { type: "purchase", member: who, properties: { sku: "latte", size: 2, paid: true } };
    const first = await event(body, "order-1001");
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json().duplicate).toBe(false);
    expect(first.json().matched.filter((m: { journeyId: string }) => m.journeyId === j.id)).toEqual([{ journeyId: j.id, stepId: "latte" }]);
    expect(first.json().id).toMatch(/^evt_/);
    const again = await event(body, "order-1001");
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ ...first.json(), duplicate: true });
    expectProblem(await event({ ...body, properties: { sku: "mocha" } }, "order-1001"), 409, "idempotency_key_reused");
    const inBody = await event({ ...body, idempotencyKey: "order-1001" }, null);
    expect(inBody.json()).toEqual({ ...first.json(), duplicate: true });

    const item = await memberJourney(wallet(2), j.id);
    expect(item.steps.map((s: { done: boolean }) => s.done)).toEqual([true, true, false]);
  });

  it("refuses events without a key, from the future or from long ago", async () => {
    const who = getAddress(wallet(2).account.address);
    expectProblem(await event({ type: "purchase", member: who }, null), 400, "idempotency_key_required");
    expectProblem(await event({ type: "purchase", member: who, occurredAt: new Date(Date.now() + 5 * 60_000).toISOString() }), 400, "validation_failed");
    expectProblem(await event({ type: "purchase", member: who, occurredAt: new Date(Date.now() - 31 * 86_400_000).toISOString() }), 400, "validation_failed");
    expectProblem(await event({ type: "purchase", member: who, properties: { note: "x".repeat(201) } }), 400, "validation_failed");
    expectProblem(await event({ type: "purchase", member: who, properties: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }), 400, "validation_failed");
  });

  it("an event counts at occurredAt, and not for a locked step of an ordered journey", async () => {
    const earlier = new Date(Date.now() - 86_400_000).toISOString();
    const j = await createJourney({ ordered: true, startsAt: new Date(Date.now() - 3_600_000).toISOString(), steps: [shared(), { id: "buy", title: "Buy", kind: "event", event: "refill" }] });
    const who = getAddress(wallet(1).account.address);
    expect((await event({ type: "refill", member: who, occurredAt: earlier })).json().matched).toEqual([]);
    expect((await event({ type: "refill", member: who })).json().matched).toEqual([]);
    expect((await complete(wallet(1), j.id, "word", { code: "BEANS2026" })).statusCode).toBe(200);
    expect((await event({ type: "refill", member: who })).json().matched).toEqual([{ journeyId: j.id, stepId: "buy" }]);
    expect((await memberJourney(wallet(1), j.id)).completed).toBe(true);
  });
});

describe("referrals", () => {
  async function signInWith(signer: LocalAccount | WalletClient, invitation: string) {
    const answer = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { ...(await signedSiwe(viaInject(server.app), signer)), invitation } });
    expect(answer.statusCode, answer.body).toBe(200);
  }

  it("a new member signing in with an invitation completes the inviter's step; existing members and self-invites do nothing", async () => {
    const j = await createJourney({ steps: [{ id: "friend", title: "Bring a friend", kind: "referral" }] });
    const inviter = fresh();
    const invitation = (await memberJourney(inviter, j.id)).steps[0].invitation;
    expect(invitation.code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect((await memberJourney(inviter, j.id)).steps[0].invitation).toEqual(invitation);

    await signInWith(inviter, invitation.code);
    await session(wallet(0));
    await signInWith(wallet(0), invitation.code);
    expect((await memberJourney(inviter, j.id)).steps[0].done).toBe(false);

    await signInWith(fresh(), invitation.code.toLowerCase());
    const after = await memberJourney(inviter, j.id);
    expect(after).toMatchObject({ completed: true, award: { status: "pending" }, steps: [{ done: true }] });
  });
});

describe("brands are kept apart", () => {
  it("another brand cannot see, change, delete, issue codes for or read progress of a journey, nor complete its steps by events", async () => {
    const other = await createBrand(server.store, "Other Brand");
    const { key } = await issueApiKey(server.store, other.id, "tests");
    const j = await createJourney({ steps: [{ id: "buy", title: "Buy", kind: "event", event: "gift" }, { id: "visit", title: "Visit", kind: "code", mode: "batch" }] });
    expectProblem(await admin("GET", `/v1/admin/journeys/${j.id}`, undefined, key), 404, "journey_not_found");
    expectProblem(await admin("PATCH", `/v1/admin/journeys/${j.id}`, { title: "Mine now" }, key), 404, "journey_not_found");
    expectProblem(await admin("DELETE", `/v1/admin/journeys/${j.id}`, undefined, key), 404, "journey_not_found");
    expectProblem(await admin("POST", `/v1/admin/journeys/${j.id}/steps/visit/codes`, { count: 1 }, key), 404, "journey_not_found");
    expectProblem(await admin("GET", `/v1/admin/journeys/${j.id}/progress`, undefined, key), 404, "journey_not_found");
    expect((await admin("GET", "/v1/admin/journeys", undefined, key)).json().items).toEqual([]);
    const who = getAddress(wallet(3).account.address);
    const foreign = await event({ type: "gift", member: who }, "gift-1", key);
    expect(foreign.json().matched).toEqual([]);
    expect((await memberJourney(wallet(3), j.id)).steps[0].done).toBe(false);
    // The same key is the other brand's own: it does not collide.
    expect((await event({ type: "gift", member: who }, "gift-1")).json()).toMatchObject({ duplicate: false, matched: [{ journeyId: j.id, stepId: "buy" }] });
    // Nor can it award the first brand's stamp.
    const stolen = await admin("POST", "/v1/admin/journeys", { title: "Stolen", stamp: stamp(), steps: [quiz()] }, key);
    expect(expectProblem(stolen, 400, "invalid_journey").path).toBe("stamp.collection");
    expect((await admin("GET", `/v1/admin/journeys/${j.id}`)).json().title).toBe("Coffee 101");
  });

  it("members see a brand's journeys with ?brand=; a brand without journeys is an empty list, one that does not exist 404 brand_not_found", async () => {
    const j = await createJourney({ steps: [quiz()] });
    const mine = (await list(wallet(0), `?brand=${server.brand.id}`)).json().items.map((i: { id: string }) => i.id);
    expect(mine).toContain(j.id);
    const quiet = await createBrand(server.store, "No journeys yet");
    expect((await list(wallet(0), `?brand=${quiet.id}`)).json().items).toEqual([]);
    const unknown = await server.app.inject({ method: "GET", url: "/v1/journeys?brand=brand_nobody", headers: bearer(await session(wallet(0))) });
    expect(expectProblem(unknown, 404, "brand_not_found").detail).toBe("brand brand_nobody");
  });
});

describe("malformed requests", () => {
  it("300 random bodies to every journey route: never a 5xx, every error is problem+json", async () => {
    const j = await createJourney({ steps: [quiz(), shared(), { id: "visit", title: "Visit", kind: "code", mode: "batch" }] });
    let seed = 7;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const keys = ["title", "description", "startsAt", "endsAt", "ordered", "stamp", "steps", "collection", "tokenId", "amount", "id", "kind", "questions", "prompt", "choices", "answer", "mode", "code", "event", "match", "rule", "type", "member", "properties", "occurredAt", "answers", "count", "__proto__"];
    const junk = (depth = 0): unknown => {
      switch (Math.floor(next() * (depth > 3 ? 6 : 9))) {
        case 0:
          return null;
        case 1:
          return next() < 0.5;
        case 2:
          return pick([0, -1, 1.5, 2 ** 53, 1e308, 7, 42]);
        case 3:
          return pick(["", "x".repeat(300), "quiz", "code", "batch", "shared", "event", "hold", "referral", C, "2030-01-01T00:00:00Z", "<script>", "😀"]);
        case 4:
          return pick(["3", "0", "-1", "99999999999999999999999999999999999999999999999999999999999999999999999999999999"]);
        case 5:
          return { type: pick(["holds", "member", "all", "points"]), collection: C, tokenId: "3" };
        case 6:
          return Array.from({ length: Math.floor(next() * 4) }, () => junk(depth + 1));
        default:
          return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [pick(keys), junk(depth + 1)]));
      }
    };
    const routes: ["POST" | "PATCH", string, boolean][] = [
      ["POST", "/v1/admin/journeys", true],
      ["PATCH", `/v1/admin/journeys/${j.id}`, true],
      ["POST", `/v1/admin/journeys/${j.id}/steps/visit/codes`, true],
      ["POST", "/v1/admin/events", true],
      ...["quiz", "word", "visit"].map((step): ["POST", string, boolean] => ["POST", `/v1/journeys/${j.id}/steps/${step}/complete`, false]),
    ];
    const token = await session(wallet(4));
    for (let i = 0; i < 300; i++) {
      const [method, url, brand] = pick(routes);
      const headers = { ...bearer(brand ? server.apiKey : token), "idempotency-key": `fuzz-${i}`, "content-type": "application/json" };
      const response = await server.app.inject({ method, url, headers, payload: JSON.stringify(junk()) });
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(500);
      if (response.statusCode >= 400) expect(response.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    }
  });
});

describe("documentation", () => {
  it("lists the journey routes in the OpenAPI document, with their guards", async () => {
    const doc = (await server.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/journeys", "/v1/journeys/{id}/steps/{stepId}/complete", "/v1/admin/journeys", "/v1/admin/journeys/{id}", "/v1/admin/journeys/{id}/steps/{stepId}/codes", "/v1/admin/journeys/{id}/progress", "/v1/admin/events"]),
    );
    expect(doc.paths["/v1/journeys"].get.security).toEqual([{ session: [] }]);
    expect(doc.paths["/v1/admin/events"].post.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(doc.paths["/v1/admin/journeys/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
  });
});

describe("guessing", () => {
  it("bounds a member's step attempts per minute (429 rate_limited), counting each member apart", async () => {
    const limited = await startServer(chain, { stepAttemptsPerMinute: 3 });
    try {
      const created = await limited.app.inject({ method: "POST", url: "/v1/admin/journeys", headers: bearer(limited.apiKey), payload: { title: "Coffee 101", stamp: stamp(), steps: [quiz()] } });
      expect(created.statusCode, created.body).toBe(201);
      const url = `/v1/journeys/${created.json().id}/steps/quiz/complete`;
      const [guesser, other] = [fresh(), fresh()];
      const signIn = async (who: LocalAccount) => {
        const answer = await limited.app.inject({ method: "POST", url: "/v1/auth/verify", payload: await signedSiwe(viaInject(limited.app), who) });
        return answer.json().token as string;
      };
      const [guessing, honest] = [await signIn(guesser), await signIn(other)];
      const attempt = (token: string, answers: number[]) => limited.app.inject({ method: "POST", url, headers: bearer(token), payload: { answers } });
      for (const answers of [[1, 0], [1, 1], [0, 0]]) expect((await attempt(guessing, answers)).statusCode).toBe(422);
      // The fourth try is refused before the answers are looked at, even the right ones.
      expectProblem(await attempt(guessing, [0, 2]), 429, "rate_limited");
      // Another member, from the same address, is not held back by the first.
      expect((await attempt(honest, [0, 2])).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("bounds tries that complete nothing per client address: wallets are free, addresses are not", async () => {
    const limited = await startServer(chain, { stepAttemptsPerIpPerMinute: 3 });
    try {
      const created = await limited.app.inject({ method: "POST", url: "/v1/admin/journeys", headers: bearer(limited.apiKey), payload: { title: "Visit", stamp: stamp(), steps: [{ ...shared(), code: "K7QP-3XMD-W2" }] } });
      expect(created.statusCode, created.body).toBe(201);
      const url = `/v1/journeys/${created.json().id}/steps/word/complete`;
      const attempt = (token: string, from: string, code: string) => limited.app.inject({ method: "POST", url, headers: bearer(token), payload: { code }, remoteAddress: from });
      const wallets = (n: number) => Promise.all(Array.from({ length: n }, () => siweSignIn(viaInject(limited.app), fresh())));

      // A crowd behind one address entering the right code is not held back; three wrong codes, each
      // from a new wallet, are let through, and then the address is refused whatever it sends.
      const crowd = "203.0.113.7";
      for (const token of await wallets(5)) expect((await attempt(token, crowd, "k7qp 3xmd w2")).statusCode).toBe(200);
      for (const [i, token] of (await wallets(3)).entries()) expectProblem(await attempt(token, crowd, `WRONG-${i}`), 422, "code_invalid");
      const refused = await attempt((await wallets(1))[0]!, crowd, "K7QP-3XMD-W2");
      const body = expectProblem(refused, 429, "rate_limited");
      expect(body.title).toBe("Too many wrong tries from your network");
      expect(body.detail).toMatch(/^At most 3 tries that complete nothing a minute from one address\. Try again in \d+ s\.$/);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      expect(body.retryAfter).toBe(Number(refused.headers["retry-after"]));

      // A step done already, sent again, records nothing: it counts.
      const [done] = await wallets(1);
      const cafe = "198.51.100.20";
      expect((await attempt(done!, cafe, "K7QP-3XMD-W2")).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) expect((await attempt(done!, cafe, "K7QP-3XMD-W2")).statusCode).toBe(200);
      expectProblem(await attempt((await wallets(1))[0]!, cafe, "K7QP-3XMD-W2"), 429, "rate_limited");

      // Another address is not held back by either.
      expect((await attempt((await wallets(1))[0]!, "192.0.2.1", "K7QP-3XMD-W2")).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("concurrent guesses from one address cannot slip in together: each takes its place before it is checked", async () => {
    const limited = await startServer(chain, { stepAttemptsPerIpPerMinute: 3 });
    try {
      const created = await limited.app.inject({ method: "POST", url: "/v1/admin/journeys", headers: bearer(limited.apiKey), payload: { title: "Visit", stamp: stamp(), steps: [{ ...shared(), code: "K7QP-3XMD-W2" }] } });
      const url = `/v1/journeys/${created.json().id}/steps/word/complete`;
      const tokens = await Promise.all(Array.from({ length: 10 }, () => siweSignIn(viaInject(limited.app), fresh())));
      const answers = await Promise.all(tokens.map((token, i) => limited.app.inject({ method: "POST", url, headers: bearer(token), payload: { code: `GUESS-${i}` }, remoteAddress: "203.0.113.9" })));
      expect(answers.map((r) => r.statusCode).sort()).toEqual([...Array(3).fill(422), ...Array(7).fill(429)]);
    } finally {
      await limited.close();
    }
  });
});
