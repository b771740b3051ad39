/**
 * How often journey steps may be tried: per member, and per client address. A quiz says how many
 * answers are wrong and a shared code is one string, so unbounded tries would find them; and since a
 * wallet costs nothing, a member's own limit alone would let one client signing in many wallets guess
 * many times over.
 *
 * - Per member: every attempt counts (STEP_ATTEMPTS_PER_MINUTE). One member needs a few.
 * - Per address (`request.ip`, which honours TRUST_PROXY; IPv6 by /64, as the sign-in limit): attempts
 *   that complete nothing count (STEP_ATTEMPTS_PER_IP_PER_MINUTE). Every attempt takes a place before it
 *   is checked, so concurrent guesses cannot all slip in under the limit, and one that records a step
 *   gives its place back: members behind one address (a store's Wi-Fi, a carrier's NAT) entering the
 *   right code are not held back, while wrong answers, used codes and repeats are.
 *
 * The counters live in the app's @fastify/rate-limit store: in Redis when REDIS_URL is set, so every
 * instance counts against one limit (while Redis fails, each instance counts alone).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { rateLimited } from "../errors.ts";
import { clientAddress } from "../plugins/rate-limits.ts";
import type { GuessLimits } from "./code-strength.ts";

const MINUTE_MS = 60_000;
/** A limiter's bound when it only counts (the limits are compared here). */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export type StepAttempts = {
  /** A preHandler after the member guard: takes a place in both counters, or refuses with 429 `rate_limited`. */
  check(request: FastifyRequest): Promise<void>;
  /** The attempt recorded a step: its address gets its place back. */
  recorded(request: FastifyRequest): Promise<void>;
};

type Count = { count: number; resetsInMs: number };

/** A counter per minute in the app's rate-limit store under `prefix`, keyed by `key(request)`. */
function counter(app: FastifyInstance, prefix: string, key: (request: FastifyRequest) => string) {
  const limiter = app.createRateLimit({ max: UNBOUNDED, timeWindow: MINUTE_MS, keyGenerator: (request) => `${prefix}:${key(request)}` });
  async function count(request: FastifyRequest, increment: boolean): Promise<Count> {
    const result = await limiter(request, { increment });
    // No allow list is set, so every answer carries the count (as what remains of the bound).
    if (result.isAllowed) return { count: 0, resetsInMs: 0 };
    return { count: UNBOUNDED - result.remaining, resetsInMs: result.ttl };
  }
  return { add: (request: FastifyRequest) => count(request, true), read: (request: FastifyRequest) => count(request, false) };
}

export function stepAttempts(app: FastifyInstance, limits: GuessLimits): StepAttempts {
  const byMember = counter(app, "journey-step-member", (request) => request.member!.address.toLowerCase());
  const byAddress = counter(app, "journey-step-address", clientAddress);
  const givenBack = counter(app, "journey-step-address-recorded", clientAddress);

  return {
    async check(request) {
      const mine = await byMember.add(request);
      if (mine.count > limits.perMember) throw rateLimited("Too many tries", `At most ${limits.perMember} tries a minute per member.`, mine.resetsInMs);
      const [taken, returned] = await Promise.all([byAddress.add(request), givenBack.read(request)]);
      if (taken.count - returned.count > limits.perAddress) {
        throw rateLimited("Too many wrong tries from your network", `At most ${limits.perAddress} tries that complete nothing a minute from one address.`, taken.resetsInMs);
      }
    },
    async recorded(request) {
      await givenBack.add(request);
    },
  };
}
