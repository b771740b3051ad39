/**
 * `GET /v1/admin/awards`: a brand sees its own awards, newest first, by status, member and journey,
 * in pages; never another brand's; addresses checksummed; bad input is a problem.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { newId, toTimestamp } from "../storage/index.ts";

let server: TestServer;
const members: Address[] = Array.from({ length: 5 }, () => privateKeyToAccount(generatePrivateKey()).address);
const JOURNEY = newId();
const OTHER_JOURNEY = newId();
let otherKey: string;

beforeAll(async () => {
  const chain = await startChain();
  // No rounds: the awards stay as this test leaves them.
  server = await startServer(chain, { awardIntervalMs: 86_400_000 });
  const collection = chain.collection.address.toLowerCase() as Address;
  const base = Date.parse("2026-03-01T10:00:00.000Z");
  for (const [i, member] of members.entries()) {
    const journeyId = i < 3 ? JOURNEY : OTHER_JOURNEY;
    await server.store.queueAward({ id: `award-${i}`, brandId: server.brand.id, journeyId, member, collection, tokenId: "3", amount: "1", createdAt: toTimestamp(base + i * 1000) });
  }
  const other = await createBrand(server.store, "Another brand");
  otherKey = (await issueApiKey(server.store, other.id, "tests")).key;
  await server.store.queueAward({ id: "award-other", brandId: other.id, journeyId: newId(), member: members[0]!, collection, tokenId: "3", amount: "1", createdAt: toTimestamp(base) });
  // One of them fails for good: singled out three times.
  const claimed = await server.store.claimAwardBatch({ batchId: "batch-x", max: 1, now: toTimestamp(base + 10_000), brandId: server.brand.id });
  for (let i = 0; i < 3; i++) {
    const id = i === 0 ? "batch-x" : `batch-x${i}`;
    if (i > 0) await server.store.claimAwardBatch({ batchId: id, max: 1, now: toTimestamp(base + 10_000), brandId: server.brand.id });
    await server.store.returnAwards(id, [claimed!.awards[0]!.id], { kind: "failed", error: "the collection refused the airdrop: ERC1155InvalidReceiver(…)", notBefore: null, maxBatch: 1, alone: true, maxAttempts: 3, now: toTimestamp(base + 10_000) });
  }
});
afterAll(async () => server?.close());

const list = (query = "", key = server.apiKey) => server.app.inject({ method: "GET", url: `/v1/admin/awards${query}`, headers: bearer(key) });

describe("GET /v1/admin/awards", () => {
  it("lists the brand's awards newest first, in the brand's words", async () => {
    const response = await list();
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.items.map((a: { id: string }) => a.id)).toEqual(["award-4", "award-3", "award-2", "award-1", "award-0"]);
    expect(body.nextCursor).toBeNull();
    expect(body.items[0]).toEqual({
      id: "award-4",
      journeyId: OTHER_JOURNEY,
      member: getAddress(members[4]!),
      collection: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      tokenId: "3",
      amount: "1",
      status: "pending",
      txHash: null,
      attempts: 0,
      error: null,
      retryAt: null,
      createdAt: "2026-03-01T10:00:04.000Z",
      updatedAt: "2026-03-01T10:00:04.000Z",
    });
    expect(body.items[0].collection).toBe(getAddress(body.items[0].collection));
  });

  it("filters by status, member and journey, and pages with a cursor", async () => {
    const failed = (await list("?status=failed")).json();
    expect(failed.items).toEqual([expect.objectContaining({ id: "award-0", status: "failed", attempts: 3, error: expect.stringMatching(/ERC1155InvalidReceiver/) })]);
    expect((await list(`?member=${members[1]!.toLowerCase()}`)).json().items.map((a: { id: string }) => a.id)).toEqual(["award-1"]);
    expect((await list(`?journeyId=${JOURNEY}&status=pending`)).json().items.map((a: { id: string }) => a.id)).toEqual(["award-2", "award-1"]);
    const first = (await list("?limit=2")).json();
    expect(first.items.map((a: { id: string }) => a.id)).toEqual(["award-4", "award-3"]);
    const second = (await list(`?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((a: { id: string }) => a.id)).toEqual(["award-2", "award-1"]);
  });

  it("shows another brand only its own", async () => {
    expect((await list("", otherKey)).json().items.map((a: { id: string }) => a.id)).toEqual(["award-other"]);
  });

  it("refuses bad filters and cursors as problems, and needs an API key", async () => {
    expectProblem(await list("?status=lost"), 400, "validation_failed");
    expectProblem(await list("?cursor=nonsense"), 400, "bad_request");
    expectProblem(await server.app.inject({ method: "GET", url: "/v1/admin/awards" }), 401, "unauthenticated");
  });
});
