/**
 * `GET /v1/me/export`: everything Stampbook keeps about the member, as one JSON document: their
 * profile, their grants with receipts, the access log, their takes of every kind of offer (every page),
 * their journey progress, invitations and awards, the events brands reported about them, and their
 * first sign-in. (Who invited them is left out: that is another member's address.)
 */
import type { Address } from "viem";
import { checksumAddress } from "../auth/siwe/index.ts";
import { OFFER_KINDS } from "../offer-kinds.ts";
import { toTimestamp, type Page, type Store } from "../storage/index.ts";
import type { Take } from "../offers/types.ts";
import { accessLogView } from "./access.ts";
import { consentView } from "./consents.ts";
import { profileView } from "./profile.ts";
import { type AccessLogEntryView, type DataExport } from "../../sdk/src/protocol/data.ts";

export function createDataExport(deps: { store: Store; now: () => Date }) {
  const { store } = deps;

  /** Every page of a keyset-paged list. */
  async function all<T>(page: (cursor: string | null) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const next: Page<T> = await page(cursor);
      items.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor !== null);
    return items;
  }

  return {
    async export(member: Address): Promise<DataExport> {
      const at = toTimestamp(deps.now());
      const takes = (kind: string) => all<Take>((cursor) => store.listTakes({ kind, member, limit: 100, cursor }));
      const [profile, consents, accessLog, byKind, progress, awards, records] = await Promise.all([
        store.getProfile(member),
        store.listConsents(member),
        all<AccessLogEntryView>(async (cursor) => {
          const page = await store.listAccessLog(member, { limit: 100, cursor });
          return { items: page.items.map(accessLogView), nextCursor: page.nextCursor };
        }),
        Promise.all(OFFER_KINDS.map(async (k) => [k.export.field, (await takes(k.kind)).map(k.export.view)] as const)),
        store.memberProgress(member),
        store.journeyAwards(member),
        store.memberRecords(member),
      ]);
      // Each kind's field is the protocol's (server/offer-kinds.test.ts holds the two together).
      return {
        exportedAt: at,
        address: checksumAddress(member),
        firstSignedInAt: records.firstSignedInAt,
        profile: profileView(profile),
        consents: consents.map((c) => consentView(c, at)),
        accessLog,
        ...Object.fromEntries(byKind),
        journeys: {
          steps: progress.steps,
          invitations: progress.invitations,
          awards: [...awards].map(([journeyId, award]) => ({ journeyId, status: award.status, txHash: award.txHash })),
          events: records.events,
        },
      } as DataExport;
    },
  };
}

export type DataExporter = ReturnType<typeof createDataExport>;
