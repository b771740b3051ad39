import { describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "../../sdk/src/protocol/webhooks.ts";
import { attemptWords, deliveryStateWords, EVENT_GROUPS, eventList, healthWords, httpWords, inAttentionOrder, lastAnswerWords, moment, replayWords, testResultWords } from "./webhook-words.ts";

const NOW = new Date(2025, 11, 5, 9, 30);
const endpoint = (id: string, fields: { enabled?: boolean; disabledReason?: string | null; failingSince?: string | null } = {}) => ({ id, enabled: true, disabledReason: null, failingSince: null, ...fields });

describe("the Webhooks screen's words", () => {
  it("offers every event type but the test message, each once", () => {
    const offered = EVENT_GROUPS.flatMap((g) => g.types);
    expect(new Set(offered).size).toBe(offered.length);
    expect([...offered].sort()).toEqual(WEBHOOK_EVENT_TYPES.filter((t) => t !== "webhook.test").sort());
    expect(eventList(["journey.completed", "redemption.created"])).toBe("A member redeemed a perk · A journey was completed");
  });

  it("lists endpoints needing attention first, then those on, then those turned off by the brand", () => {
    const ordered = inAttentionOrder([
      endpoint("on"),
      endpoint("off", { enabled: false }),
      endpoint("gone", { enabled: false, disabledReason: "The endpoint answered 410 Gone: it asked not to be sent messages any more." }),
      endpoint("on-2"),
      endpoint("failing", { failingSince: "2025-12-03T14:02:00.000Z" }),
    ]);
    expect(ordered.map((e) => e.id)).toEqual(["gone", "failing", "on", "on-2", "off"]);
  });

  it("says why an endpoint is off, or since when it fails", () => {
    const since = new Date(2025, 11, 3, 14, 2);
    expect(healthWords(endpoint("a", { enabled: false, disabledReason: "The endpoint answered 410 Gone: it asked not to be sent messages any more." }), NOW, "en-GB")).toBe(
      "Turned off: the endpoint answered 410 Gone: it asked not to be sent messages any more. Nothing is sent to it until you turn it on again.",
    );
    expect(healthWords(endpoint("b", { failingSince: since.toISOString() }), NOW, "en-GB")).toBe(
      "Failing since 3 Dec, 14:02: every attempt since then failed. Messages are tried again; if it still fails on 8 Dec, 14:02, it is turned off.",
    );
    expect(healthWords(endpoint("c", { enabled: false }), NOW)).toBe("Off: you turned it off, and nothing is sent to it.");
    expect(healthWords(endpoint("d"), NOW)).toBe("On: messages are sent to it as things happen.");
    expect(moment(new Date(2024, 0, 9, 8, 5), NOW, "en-GB")).toBe("9 Jan 2024, 08:05");
  });

  it("says what a test message came to", () => {
    expect(testResultWords({ delivered: true, status: 200, latencyMs: 42, error: null, excerpt: "ok" })).toBe("Delivered in 42 ms (HTTP 200).");
    expect(testResultWords({ delivered: false, status: 500, latencyMs: 9, error: null, excerpt: "  database\n down " })).toBe("Not delivered: the endpoint answered HTTP 500 Internal Server Error (“database down”).");
    expect(testResultWords({ delivered: false, status: null, latencyMs: 3, error: "The request failed: connect ECONNREFUSED 127.0.0.1:9.", excerpt: "" })).toBe(
      "Not delivered: the request failed: connect ECONNREFUSED 127.0.0.1:9.",
    );
  });

  it("words deliveries, their attempts and a replay", () => {
    expect(deliveryStateWords({ state: "pending", attempts: 0, lastStatus: null })).toBe("Waiting to be sent");
    expect(deliveryStateWords({ state: "pending", attempts: 2, lastStatus: 500 })).toBe("Failed, will be tried again");
    expect(deliveryStateWords({ state: "pending", attempts: 1, lastStatus: null })).toBe("Failed, will be tried again");
    expect(deliveryStateWords({ state: "pending", attempts: 1, lastStatus: 204 })).toBe("Waiting to be sent again");
    expect(deliveryStateWords({ state: "failed", attempts: 1, lastStatus: 410 })).toBe("Failed: no more attempts");
    expect(deliveryStateWords({ state: "delivered", attempts: 1, lastStatus: 200 })).toBe("Delivered");
    expect(lastAnswerWords({ lastStatus: 410, lastError: "HTTP 410" })).toBe("HTTP 410 Gone");
    expect(lastAnswerWords({ lastStatus: null, lastError: "The endpoint did not answer within 15000 ms." })).toBe("The endpoint did not answer within 15000 ms.");
    expect(httpWords(299)).toBe("HTTP 299");
    const at = new Date(2025, 11, 5, 9, 1).toISOString();
    expect(attemptWords({ attempt: 2, at, status: 500, latencyMs: 31, excerpt: "", error: null }, NOW, "en-GB")).toBe("Attempt 2, 5 Dec, 09:01: HTTP 500 Internal Server Error in 31 ms.");
    expect(attemptWords({ attempt: 1, at, status: null, latencyMs: 4, excerpt: "", error: "The request failed: socket hang up" }, NOW, "en-GB")).toBe(
      "Attempt 1, 5 Dec, 09:01: no answer after 4 ms. The request failed: socket hang up.",
    );
    expect(replayWords(3, NOW)).toBe("3 messages are on their way again.");
    expect(replayWords(1, NOW)).toBe("1 message is on its way again.");
    expect(replayWords(0, new Date(2025, 11, 4, 9, 30), NOW, "en-GB")).toBe("Nothing to send again: no message for this endpoint since 4 Dec, 09:30.");
  });
});
