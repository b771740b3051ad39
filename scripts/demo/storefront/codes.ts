/**
 * A member's perk codes: redeeming one (or, once used up, the code they already have), the dialog
 * they show at the counter, and which codes the till has used (those are never offered again: the
 * card says when it was used instead).
 */
import { ApiError, type MemberPerk, type Redemption, type StampbookClient } from "@stampbook/sdk";
import qrcode from "qrcode-generator";
import { $ } from "./dom.ts";

/** The codes read at once: enough for every perk a demo member redeems (newest first). */
const REDEMPTIONS_PAGE = 100;

/** A perk's code as the card shows it: the code, and when the till used it (null: not yet). */
export type PerkCode = { code: string; usedAt: string | null };

/** Redeems a perk and answers its code (the one the member already has when they used up their redemptions). */
export type Redeem = (perk: MemberPerk) => Promise<{ code: string; again: boolean }>;

export type Codes = {
  /** Reads the member's codes again; answers whether anything changed since the last read. */
  load(): Promise<boolean>;
  /** The member's latest code for a perk, or null. */
  latest(perkId: string): PerkCode | null;
  redeem: Redeem;
  show(title: string, code: string): void;
  clear(): void;
};

/** "Used at the counter on 12 March 2027, 14:05." */
export function usedWords(usedAt: string): string {
  return `Used at the counter on ${new Date(usedAt).toLocaleString("en", { dateStyle: "long", timeStyle: "short" })}.`;
}

/** Thrown when the member's only code for a perk was used at the counter already. */
export class CodeUsedError extends Error {
  readonly usedAt: string;
  constructor(usedAt: string) {
    super(usedWords(usedAt));
    this.usedAt = usedAt;
  }
}

export function createCodes(client: StampbookClient): Codes {
  let items: Redemption[] = [];
  let read = "";

  const latest = (perkId: string): PerkCode | null => {
    const found = items.find((r) => r.perkId === perkId);
    return found ? { code: found.code, usedAt: found.consumedAt } : null;
  };

  return {
    async load() {
      items = (await client.getRedemptions({ limit: REDEMPTIONS_PAGE })).items;
      const json = JSON.stringify(items.map((r) => [r.id, r.consumedAt]));
      const changed = json !== read;
      read = json;
      return changed;
    },
    latest,
    async redeem(perk) {
      try {
        const redemption = await client.redeemPerk({ perkId: perk.id });
        items = [redemption, ...items];
        return { code: redemption.code, again: false };
      } catch (error) {
        // Used up: the code the member already has, unless the till used it.
        if (!(error instanceof ApiError) || error.code !== "member_limit_reached") throw error;
        await this.load();
        const previous = latest(perk.id);
        if (!previous) throw error;
        if (previous.usedAt !== null) throw new CodeUsedError(previous.usedAt);
        return { code: previous.code, again: true };
      }
    },
    show(title, code) {
      const qr = qrcode(0, "M");
      qr.addData(code);
      qr.make();
      $("code-perk").textContent = title;
      $("code-text").textContent = code;
      $("code-qr").innerHTML = qr.createSvgTag({ cellSize: 6, margin: 2, scalable: true });
      $<HTMLDialogElement>("code-dialog").showModal();
    },
    clear() {
      items = [];
      read = "";
    },
  };
}
