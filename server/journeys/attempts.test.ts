/**
 * The step attempt limits on their own: a small app whose one route plays a step (`right` records it),
 * behind a stand-in member guard, over the app's rate-limit store: this instance's memory, or Redis
 * shared by two instances.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { expectProblem } from "../../test/support/problems.ts";
import { REDIS_SKIPS, redisForTests } from "../../test/support/services.ts";
import { Problem } from "../errors.ts";
import { problemsPlugin } from "../plugins/problems.ts";
import { sharedRateLimitStore } from "../plugins/redis.ts";
import { stepAttempts } from "./attempts.ts";
import type { GuessLimits } from "./code-strength.ts";

const redisUrl = redisForTests("step attempt limits shared across instances (server/journeys/attempts.test.ts)");

const opened: FastifyInstance[] = [];
const connections: Redis[] = [];
afterAll(async () => {
  for (const app of opened.splice(0)) await app.close();
  for (const connection of connections.splice(0)) await connection.quit();
});

async function stepApp(limits: GuessLimits, redis?: { client: Redis; prefix: string }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(problemsPlugin);
  const store = redis && sharedRateLimitStore(redis.client, `${redis.prefix}-rate-limit-`, () => undefined);
  await app.register(rateLimit, { global: false, ...(store ? { store } : {}) });
  app.decorateRequest("member", null);
  const attempts = stepAttempts(app, limits);
  const member = async (request: FastifyRequest) => {
    request.member = { address: request.headers["x-member"] as `0x${string}`, chainId: 1, token: "" };
  };
  app.post("/step", { preHandler: [member, attempts.check] }, async (request) => {
    if (!(request.body as { right: boolean }).right) throw new Problem(422, "code_invalid", "That code is not valid for this step");
    await attempts.recorded(request);
    return { done: true };
  });
  opened.push(app);
  return app;
}

let members = 0;
const newMember = () => `0x${(++members).toString(16).padStart(40, "0")}`;
const attempt = (app: FastifyInstance, from: string, right: boolean, member = newMember()) =>
  app.inject({ method: "POST", url: "/step", headers: { "x-member": member }, payload: { right }, remoteAddress: from });

describe("on one instance", () => {
  it("counts every try of a member, and refuses the one past the limit with the wait", async () => {
    const app = await stepApp({ perMember: 2, perAddress: 100 });
    const me = newMember();
    expect((await attempt(app, "192.0.2.1", true, me)).statusCode).toBe(200);
    expect((await attempt(app, "192.0.2.2", false, me)).statusCode).toBe(422);
    const refused = expectProblem(await attempt(app, "192.0.2.3", true, me), 429, "rate_limited");
    expect(refused).toMatchObject({ title: "Too many tries", retryAfter: expect.any(Number) });
    expect(refused.detail).toMatch(/^At most 2 tries a minute per member\. Try again in \d+ s\.$/);
    // Someone else is not held back.
    expect((await attempt(app, "192.0.2.1", true)).statusCode).toBe(200);
  });

  it("counts per address the tries that record nothing: right answers give their place back", async () => {
    const app = await stepApp({ perMember: 100, perAddress: 2 });
    const from = "198.51.100.1";
    for (let i = 0; i < 10; i++) expect((await attempt(app, from, true)).statusCode).toBe(200);
    expect((await attempt(app, from, false)).statusCode).toBe(422);
    expect((await attempt(app, from, true)).statusCode).toBe(200);
    expect((await attempt(app, from, false)).statusCode).toBe(422);
    const refused = expectProblem(await attempt(app, from, true), 429, "rate_limited");
    expect(refused.title).toBe("Too many wrong tries from your network");
    expect((await attempt(app, "198.51.100.2", false)).statusCode).toBe(422);
  });

  it("counts an IPv6 client by its /64, as the sign-in limit does", async () => {
    const app = await stepApp({ perMember: 100, perAddress: 1 });
    expect((await attempt(app, "2001:db8:1:1::1", false)).statusCode).toBe(422);
    expectProblem(await attempt(app, "2001:db8:1:1:ffff::2", false), 429, "rate_limited");
    expect((await attempt(app, "2001:db8:1:2::1", false)).statusCode).toBe(422);
  });

  it("lets exactly the limit through when guesses arrive together", async () => {
    const app = await stepApp({ perMember: 100, perAddress: 4 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => attempt(app, "203.0.113.50", false)));
    expect(answers.filter((r) => r.statusCode === 422)).toHaveLength(4);
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(8);
  });
});

describe.skipIf(redisUrl === null)(`on two instances sharing Redis (${REDIS_SKIPS})`, () => {
  it("a member's tries and an address's count once across both", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const instance = () => {
      const client = new Redis(redisUrl!, { maxRetriesPerRequest: 0 });
      connections.push(client);
      return stepApp({ perMember: 3, perAddress: 2 }, { client, prefix });
    };
    const [a, b] = [await instance(), await instance()];
    try {
      const me = newMember();
      expect((await attempt(a, "192.0.2.10", true, me)).statusCode).toBe(200);
      expect((await attempt(b, "192.0.2.11", true, me)).statusCode).toBe(200);
      expect((await attempt(a, "192.0.2.12", true, me)).statusCode).toBe(200);
      expectProblem(await attempt(b, "192.0.2.13", true, me), 429, "rate_limited");

      const from = "203.0.113.77";
      expect((await attempt(a, from, false)).statusCode).toBe(422);
      expect((await attempt(b, from, true)).statusCode).toBe(200);
      expect((await attempt(b, from, false)).statusCode).toBe(422);
      expectProblem(await attempt(a, from, false), 429, "rate_limited");
      expectProblem(await attempt(b, from, true), 429, "rate_limited");
    } finally {
      const admin = connections[0]!;
      const keys = await admin.keys(`${prefix}-rate-limit-*`);
      if (keys.length > 0) await admin.del(...keys);
    }
  });
});
