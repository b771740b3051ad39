import { describe, expect, it } from "vitest";
import { ApiProblem } from "./api.ts";
import { rateLimitWords } from "./limits.ts";

const limited = (body: Record<string, unknown>) => new ApiProblem(429, "rate_limited", "Too many code checks", "At most 120 a minute with these credentials. Try again in 42 s.", { code: "rate_limited", ...body });

describe("rate limits in words", () => {
  it("says what was refused and how long to wait", () => {
    expect(rateLimitWords(limited({ retryAfter: 42 }), "checks")).toBe("Too many checks in a minute: wait 42 seconds.");
    expect(rateLimitWords(limited({ retryAfter: 1 }), "checks")).toBe("Too many checks in a minute: wait 1 second.");
  });

  it("waits a minute when the API did not say", () => {
    expect(rateLimitWords(limited({}), "checks")).toBe("Too many checks in a minute: wait a minute.");
  });

  it("is nothing for other errors", () => {
    expect(rateLimitWords(new ApiProblem(404, "redemption_not_found", "No such redemption code", undefined, {}), "checks")).toBeNull();
    expect(rateLimitWords(new Error("offline"), "checks")).toBeNull();
  });
});
