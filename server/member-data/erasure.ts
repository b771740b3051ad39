/**
 * Erasure: a member signs, fresh, an EIP-4361 message whose statement is {@link ERASURE_STATEMENT};
 * it is verified like a sign-in (domain, URI, chain, times, a single-use nonce, plain and contract
 * wallets) and must be signed by the signed-in member. Then, in one transaction, their profile,
 * grants and access log are deleted, the records a brand keeps (redemptions, claims, journey
 * progress) go on under a fresh random pseudonym nobody can link back, and every session of theirs
 * ends (on every instance: `onErased` tells the bus).
 */
import { randomBytes } from "node:crypto";
import type { Address } from "viem";
import { webhookMessage } from "../webhooks/messages.ts";
import type { AuthService } from "../auth/sessions.ts";
import { parseSiweMessage, SiweError } from "../auth/siwe/index.ts";
import { Problem } from "../errors.ts";
import { OFFER_KINDS } from "../offer-kinds.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import { type ErasureView } from "../../sdk/src/protocol/data.ts";
import { ERASURE_STATEMENT } from "../../sdk/src/protocol/statements.ts";

const invalid = (status: number, detail: string) => new Problem(status, "erasure_invalid", "The erasure was not confirmed", detail);

export function createErasure(deps: {
  store: Store;
  auth: AuthService;
  /** Member sessions last this long: every one issued until now expires by now + this. */
  sessionTtlSeconds: number;
  now: () => Date;
  onErased?: (member: Address) => Promise<void> | void;
}) {
  return {
    async erase(member: Address, message: string, signature: string): Promise<ErasureView> {
      let parsed;
      try {
        parsed = parseSiweMessage(message);
      } catch (error) {
        if (error instanceof SiweError) throw new Problem(400, "siwe_malformed", "The erasure message is not an EIP-4361 message", error.message);
        throw error;
      }
      if (parsed.address.toLowerCase() !== member.toLowerCase()) throw invalid(403, "Sign the erasure with the wallet you signed in with.");
      if (parsed.statement !== ERASURE_STATEMENT) throw invalid(400, `The statement must be exactly: ${ERASURE_STATEMENT}`);
      if ((parsed.resources ?? []).length > 0) throw invalid(400, "The erasure message carries no resources.");
      // Domain, URI, chain, times, the nonce (used up here) and the signature, as for a sign-in.
      await deps.auth.verify(message, signature);
      const at = deps.now().getTime();
      // Session expiries are whole seconds (rounded up): every session issued up to this second ends.
      const second = Math.ceil(at / 1000) * 1000;
      const { takesUnlinked, ...counts } = await deps.store.eraseMember({
        address: member,
        pseudonym: `0x${randomBytes(20).toString("hex")}`,
        now: toTimestamp(at),
        sessionsExpireBy: toTimestamp(second + deps.sessionTtlSeconds * 1000),
        // Only what each brand already knew: the wallet address its records carried.
        announce: ({ brandIds }) => brandIds.map((brandId) => webhookMessage(brandId, "member.erased", { member: { address: member.toLowerCase() as Address }, erasedAt: toTimestamp(at) }, at)),
      });
      await deps.onErased?.(member);
      // Answered once that second is over, so a sign-in after the answer is not ended with the rest.
      await new Promise((resolve) => setTimeout(resolve, second - at + 1));
      const unlinked = Object.fromEntries(OFFER_KINDS.map((k) => [k.erasure.unlinked, takesUnlinked[k.kind] ?? 0]));
      // Each kind's field is the protocol's (server/offer-kinds.test.ts holds the two together).
      const erased = { profile: counts.profile, consents: counts.consents, accessLog: counts.accessLog, ...unlinked, journeyRecordsUnlinked: counts.journeyRecordsUnlinked } as ErasureView["erased"];
      return { erased };
    },
  };
}

export type Erasure = ReturnType<typeof createErasure>;
