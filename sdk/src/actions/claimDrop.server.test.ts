/**
 * claim() and drops() against the REAL drop routes (server/drops) and the real chain: the brand's
 * key is the brand's minter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { devAccount } from "../../../scripts/demo/accounts.ts";
import { DEMO_TYPES } from "../../../test/support/chain.ts";
import { createStampbookClient } from "../client.ts";
import { ApiError } from "../index.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";

describe("claim against the real drop routes", () => {
  let stack: Stack;
  const drops: Record<string, string> = {};

  beforeAll(async () => {
    // The demo collection's admin (and minter) is the chain's first development account.
    stack = await startStack({}, { minterKey: devAccount(0).privateKey });
    for (const [name, body] of Object.entries({
      mint: { mode: "mint", tokenId: DEMO_TYPES.stamp.toString(), amount: "2" },
      voucher: { mode: "voucher", tokenId: DEMO_TYPES.stamp.toString(), amount: "3" },
      once: { mode: "mint", tokenId: DEMO_TYPES.stamp.toString(), limits: { perMember: 1 } },
    })) {
      const created = await stack.admin("POST", "/v1/admin/drops", { title: name, collection: stack.collection, ...body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      drops[name] = created.body.id;
    }
  });
  afterAll(async () => stack?.close());

  async function member() {
    const provider = stack.provider();
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: provider, ...fastOptions() });
    await client.signIn();
    return { client, provider };
  }
  const balance = (address: `0x${string}`) => stack.chain.collection.read.balanceOf([address, DEMO_TYPES.stamp]);

  it("drops() lists them with their mode and eligibility", async () => {
    const { client } = await member();
    const listed = await client.getDrops();
    expect(listed.find((d) => d.id === drops.mint)).toMatchObject({ mode: "mint", eligible: true, checked: true, status: "open", amount: "2", claimed: 0, usedUp: false });
    expect(listed.find((d) => d.id === drops.voucher)).toMatchObject({ mode: "voucher" });
  });

  it("mode mint: the server mints, gasless for the member; the tokens are on chain", async () => {
    const { client, provider } = await member();
    const claim = await client.claimDrop({ dropId: drops.mint! });
    expect(claim).toMatchObject({ mode: "mint", status: "minted", member: provider.address, amount: "2" });
    expect(await balance(provider.address)).toBe(2n);
    expect(provider.methods()).not.toContain("eth_sendTransaction");
  });

  it("mode voucher: the voucher is returned; replaying the claim (same key) with submit sends claim(voucher, r, vs) from the wallet", async () => {
    const { client, provider } = await member();
    const issued = await client.claimDrop({ dropId: drops.voucher!, idempotencyKey: "v-1" });
    expect(issued).toMatchObject({ mode: "voucher", status: "issued", voucher: { to: provider.address, amount: "3", chainId: 31337 } });
    await stack.chain.networkHelpers.setBalance(provider.address, parseEther("1"));
    const submitted = await client.claimDrop({ dropId: drops.voucher!, idempotencyKey: "v-1", submit: true });
    expect(submitted).toMatchObject({ id: issued.id, submitted: true });
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: submitted.txHash! });
    expect(await balance(provider.address)).toBe(3n);
  });

  it("a retry with the same Idempotency-Key returns the same claim; the limit refusal keeps the server's code", async () => {
    const { client } = await member();
    const first = await client.claimDrop({ dropId: drops.once!, idempotencyKey: "k-1" });
    const again = await client.claimDrop({ dropId: drops.once!, idempotencyKey: "k-1" });
    expect(again.id).toBe(first.id);
    const refused = await client.claimDrop({ dropId: drops.once! }).catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, code: "member_limit_reached" });
    // drops() shows it used up before the member tries.
    expect((await client.getDrops()).find((d) => d.id === drops.once)).toMatchObject({ claimed: 1, usedUp: true });
  });
});
