/**
 * journeys(), completeStep(), levels() and the loyalty part of me(), against a fake fetch that plays
 * the API's wire formats (the routes' own tests cover the server side).
 */
import { describe, expect, it } from "vitest";
import { createStampbookClient } from "../client.ts";
import { ApiError, BrandNotFoundError, HttpRequestError, NotSignedInError, StepRefusedError, type Me, type MemberJourney, type StepRefusalCode } from "../index.ts";
import { memoryStorage } from "../storage.ts";
import { completeStep } from "./completeStep.ts";
import { getJourneys } from "./getJourneys.ts";
import { getLevels } from "./getLevels.ts";

const apiUrl = "https://api.example.com";
const collection = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const session = { token: "sbs_t", address: "0x0000000000000000000000000000000000000001", chainId: 31337, expiresAt: "2999-01-01T00:00:00Z" } as const;

type Seen = { method: string; url: string; authorization: string | null; body: unknown };
type Answer = Response | (() => Response | Promise<Response>) | "offline";

/** A fetch that records each request and answers from `answers` in turn (the last one repeats). */
function fakeApi(...answers: Answer[]) {
  const seen: Seen[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({ method: init?.method ?? "GET", url: String(input), authorization: headers.get("authorization"), body: init?.body === undefined ? undefined : JSON.parse(String(init.body)) });
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (answer === "offline") throw new TypeError("fetch failed");
    return typeof answer === "function" ? answer() : answer.clone();
  };
  const client = createStampbookClient({ apiUrl, fetch, storage: memoryStorage(), retryDelay: 1 });
  client.session = { ...session };
  return { client, seen };
}

const problem = (status: number, code: string, title: string, extensions: Record<string, unknown> = {}) =>
  new Response(JSON.stringify({ type: `urn:stampbook:problem:${code}`, title, status, code, ...extensions }), {
    status,
    headers: { "content-type": "application/problem+json", "x-request-id": "req-1" },
  });

const journey = (overrides: Partial<MemberJourney> = {}): MemberJourney => ({
  id: "jrn_1",
  brandId: "brd_1",
  title: "Coffee 101",
  description: "Learn your beans",
  startsAt: null,
  endsAt: null,
  status: "open",
  ordered: false,
  stamp: { name: "Journey stamp", image: "https://api.example.com/v1/metadata/x/3/image", amount: "1", points: "50", collection, tokenId: "3" },
  steps: [
    { id: "quiz", title: "Know your beans", kind: "quiz", done: false, completedAt: null, available: true, questions: [{ prompt: "Where?", choices: ["Kenya", "Iceland"] }] },
    { id: "visit", title: "Visit a store", kind: "code", done: false, completedAt: null, available: true },
    { id: "hold", title: "Be a Gold member", kind: "hold", done: false, completedAt: null, available: true, requires: "a Gold membership" },
    { id: "invite", title: "Bring a friend", kind: "referral", done: false, completedAt: null, available: true, invitation: { code: "K7QP3XMD", url: "https://shop.example/?invite=K7QP3XMD" } },
  ],
  completed: false,
  award: null,
  ...overrides,
});

describe("journeys", () => {
  it("GETs /v1/journeys with the session and returns the items as sent", async () => {
    const items = [journey(), journey({ id: "jrn_2", status: "ended", completed: true, award: { status: "awarded", txHash: `0x${"ab".repeat(32)}` } })];
    const { client, seen } = fakeApi(Response.json({ items }));
    expect(await client.getJourneys()).toEqual(items);
    expect(await getJourneys(client)).toEqual(items);
    expect(seen[0]).toEqual({ method: "GET", url: `${apiUrl}/v1/journeys`, authorization: "Bearer sbs_t", body: undefined });
  });

  it("retries a GET that met an outage", async () => {
    const { client, seen } = fakeApi(problem(503, "chain_unavailable", "The chain cannot be reached right now"), Response.json({ items: [] }));
    expect(await client.getJourneys()).toEqual([]);
    expect(seen).toHaveLength(2);
  });
});

describe("completeStep", () => {
  const done = (stepId: string) => {
    const j = journey();
    const step = { ...j.steps.find((s) => s.id === stepId)!, done: true, completedAt: "2026-11-02T10:00:00.000Z" };
    return Response.json({ step, journey: { ...j, steps: j.steps.map((s) => (s.id === stepId ? step : s)) } });
  };

  it("POSTs each kind's body to /v1/journeys/:id/steps/:stepId/complete and returns { step, journey }", async () => {
    const { client, seen } = fakeApi(() => done("quiz"));
    const result = await client.completeStep({ journeyId: "jrn_1", stepId: "quiz", input: { answers: [0, 2] } });
    expect(result.step).toMatchObject({ id: "quiz", done: true, completedAt: "2026-11-02T10:00:00.000Z" });
    expect(result.journey.steps[0]).toEqual(result.step);
    await client.completeStep({ journeyId: "jrn_1", stepId: "visit", input: { code: "K7QP-3XMD" } });
    await client.completeStep({ journeyId: "jrn_1", stepId: "hold" });
    await completeStep(client, { journeyId: "jrn 1", stepId: "a/b", input: {} });
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ["POST", `${apiUrl}/v1/journeys/jrn_1/steps/quiz/complete`, { answers: [0, 2] }],
      ["POST", `${apiUrl}/v1/journeys/jrn_1/steps/visit/complete`, { code: "K7QP-3XMD" }],
      ["POST", `${apiUrl}/v1/journeys/jrn_1/steps/hold/complete`, {}],
      ["POST", `${apiUrl}/v1/journeys/jrn%201/steps/a%2Fb/complete`, {}],
    ]);
    expect(seen.every((s) => s.authorization === "Bearer sbs_t")).toBe(true);
  });

  it("turns every refusal into StepRefusedError, still an ApiError with the problem's code, status and request id", async () => {
    const refusals: [StepRefusalCode, number, string][] = [
      ["quiz_wrong", 422, "2 of your 3 answers are wrong"],
      ["code_invalid", 422, "That code is not valid"],
      ["code_used", 409, "That code was already used"],
      ["step_locked", 409, "Complete the earlier steps first"],
      ["journey_not_open", 409, "This journey is not open"],
      ["step_not_member_completable", 409, "This step completes on its own"],
    ];
    for (const [code, status, title] of refusals) {
      const { client, seen } = fakeApi(problem(status, code, title));
      const error = await client.completeStep({ journeyId: "jrn_1", stepId: "quiz", input: { answers: [1] } }).catch((e) => e);
      expect(error).toBeInstanceOf(StepRefusedError);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ name: "StepRefusedError", code, status, shortMessage: title, requestId: "req-1", reasons: [], method: "POST" });
      expect(error.problem.code).toBe(code);
      expect(seen).toHaveLength(1); // a refusal is final: not retried
    }
  });

  it("a hold step not met: not_eligible with the reasons in words", async () => {
    const reasons = [{ code: "level_too_low", message: "needs the Gold level (150 points), you have 40 points", have: "40", need: "150" }];
    const { client } = fakeApi(problem(403, "not_eligible", "You do not hold what this step requires", { detail: reasons[0]!.message, reasons }));
    const error = await client.completeStep({ journeyId: "jrn_1", stepId: "hold" }).catch((e) => e);
    expect(error).toBeInstanceOf(StepRefusedError);
    expect(error).toMatchObject({ code: "not_eligible", status: 403, reasons, details: reasons[0]!.message });
  });

  it("other failures stay what they were: ApiError (unknown journey), HttpRequestError (offline)", async () => {
    const missing = await fakeApi(problem(404, "not_found", "No such journey"))
      .client.completeStep({ journeyId: "jrn_x", stepId: "quiz", input: { answers: [] } })
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).not.toBeInstanceOf(StepRefusedError);
    expect(missing).toMatchObject({ name: "ApiError", code: "not_found", status: 404 });
    const offline = await fakeApi("offline").client.completeStep({ journeyId: "jrn_1", stepId: "hold" }).catch((e) => e);
    expect(offline).toBeInstanceOf(HttpRequestError);
  });

  it("retries lost answers and 5xx with the same body (completing a done step answers the same state)", async () => {
    const { client, seen } = fakeApi("offline", problem(503, "store_busy", "Busy"), () => done("visit"));
    const { step } = await client.completeStep({ journeyId: "jrn_1", stepId: "visit", input: { code: "K7QP-3XMD" } });
    expect(step.done).toBe(true);
    expect(seen.map((s) => s.body)).toEqual([{ code: "K7QP-3XMD" }, { code: "K7QP-3XMD" }, { code: "K7QP-3XMD" }]);
  });

  it("needs a session: NotSignedInError before any request", async () => {
    const { client, seen } = fakeApi(Response.json({}));
    client.session = null;
    await expect(client.getJourneys()).rejects.toBeInstanceOf(NotSignedInError);
    await expect(client.completeStep({ journeyId: "jrn_1", stepId: "hold" })).rejects.toBeInstanceOf(NotSignedInError);
    expect(seen).toHaveLength(0);
  });
});

describe("levels", () => {
  const levels = [
    { key: "green", name: "Green", minPoints: 0 },
    { key: "gold", name: "Gold", minPoints: 150 },
  ];

  it("GETs /v1/brands/:brandId/levels without the session (public) and returns the levels", async () => {
    const { client, seen } = fakeApi(Response.json({ levels }));
    expect(await client.getLevels({ brandId: "brd_1" })).toEqual(levels);
    client.session = null;
    expect(await getLevels(client, { brandId: "brd/2" })).toEqual(levels);
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ["GET", `${apiUrl}/v1/brands/brd_1/levels`, null],
      ["GET", `${apiUrl}/v1/brands/brd%2F2/levels`, null],
    ]);
  });

  it("an unknown brand is a BrandNotFoundError (an ApiError) naming the id, and is not retried", async () => {
    const { client, seen } = fakeApi(problem(404, "brand_not_found", "No such brand"));
    const error = await client.getLevels({ brandId: "brd_x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrandNotFoundError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ name: "BrandNotFoundError", code: "brand_not_found", status: 404, brandId: "brd_x", requestId: "req-1" });
    expect(seen).toHaveLength(1);
  });
});

describe("me", () => {
  it("returns the loyalty standings and the holdings' names as sent", async () => {
    const me: Me = {
      address: session.address,
      chainId: 31337,
      freshness: { source: "index", indexedBlock: "42", lagBlocks: 0 },
      collections: [
        {
          address: collection,
          brandId: "brd_1",
          available: true,
          holdings: [{ tokenId: "3", kind: "collectible", name: "Journey stamp", description: "Coffee 101, done", image: null, balance: "2", soulbound: true, points: "50", uri: "https://api.example.com/v1/metadata/x/{id}" }],
        },
      ],
      loyalty: [
        { brandId: "brd_1", brandName: "Bean There", points: "100", level: { key: "green", name: "Green", minPoints: 0 }, next: { key: "gold", name: "Gold", minPoints: 150, pointsToGo: "50" } },
        { brandId: "brd_2", brandName: "Top Tea", points: "0", level: null, next: null },
      ],
    };
    const { client } = fakeApi(Response.json(me));
    expect(await client.getMe()).toEqual(me);
  });
});
