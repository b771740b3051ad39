/** The award gas bar holds: 100 members' stamps, sent by the real award queue, cost at most 32,000 gas each. */
import { expect, it } from "vitest";
import { AWARD_GAS_BAR, measureAwardGas } from "./award-gas.ts";

it("award_gas_per_member for 100 members is within its bar, in one airdrop", async () => {
  const result = await measureAwardGas();
  expect(result).toMatchObject({ members: 100, transactions: 1 });
  expect(result.award_gas_per_member).toBeLessThanOrEqual(AWARD_GAS_BAR);
});
