/**
 * A kind of offer names the fields its takes appear under in the member's export, the erasure answer
 * and the staff overview; the wire protocol spells those answers out. A kind added without its fields
 * in the protocol (or a protocol field renamed away from its kind) fails here, not in a client.
 */
import { describe, expect, it } from "vitest";
import { DataExportSchema, ErasureSchema } from "../sdk/src/protocol/data.ts";
import { StatsSchema } from "../sdk/src/protocol/staff.ts";
import { OFFER_KINDS } from "./offer-kinds.ts";

describe("the registered offer kinds and the wire protocol", () => {
  it.each(OFFER_KINDS.map((kind) => [kind.kind, kind] as const))("agree on the fields of %s takes", (_name, kind) => {
    expect(Object.keys(ErasureSchema.properties.erased.properties)).toContain(kind.erasure.unlinked);
    expect(Object.keys(DataExportSchema.properties)).toContain(kind.export.field);
    expect(Object.keys(StatsSchema.properties.days.items.properties)).toContain(kind.stats.perDay);
    if (kind.stats.busiest !== undefined) {
      expect(Object.keys(StatsSchema.properties)).toContain(kind.stats.busiest.field);
      expect(Object.keys((StatsSchema.properties as unknown as Record<string, { items: { properties: object } }>)[kind.stats.busiest.field]!.items.properties)).toContain(kind.stats.busiest.count);
    }
  });

  it("leave no field of the protocol's answers without a kind", () => {
    const erased = Object.keys(ErasureSchema.properties.erased.properties).filter((field) => field.endsWith("Unlinked") && field !== "journeyRecordsUnlinked");
    expect(erased.sort()).toEqual(OFFER_KINDS.map((kind) => kind.erasure.unlinked).sort());
    const perDay = Object.keys(StatsSchema.properties.days.items.properties).filter((field) => field !== "date");
    expect(perDay.sort()).toEqual(OFFER_KINDS.map((kind) => kind.stats.perDay).sort());
  });
});
