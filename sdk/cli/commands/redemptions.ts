/** `redemptions`: every redemption of the brand's perks (all pages), as sentences, JSON or CSV. */
import { writeFile } from "node:fs/promises";
import { address, baseUrl, need, text } from "../args.ts";
import { API_OPTION, type Command } from "../command.ts";
import { toCsv } from "../csv.ts";
import { usageError } from "../errors.ts";

type Redemption = { id: string; perkId: string; brandId: string; member: string; code: string; createdAt: string; consumedAt: string | null };

const PAGE = 100;
const COLUMNS = ["id", "perkId", "perkTitle", "member", "code", "createdAt", "consumedAt"] as const;

export const redemptions: Command = {
  words: ["redemptions"],
  summary: "List the brand's redemptions, or export them as CSV",
  description: ["Reads every page of GET /v1/admin/redemptions (newest first) for the brand whose API key is in STAMPBOOK_API_KEY, with each perk's title. --csv writes them to a file, or to stdout with --csv -."],
  options: {
    api: { ...API_OPTION, required: true },
    csv: { type: "string", value: "file|-", description: `Write CSV (${COLUMNS.join(", ")}) to this file, or - for stdout` },
    perk: { type: "string", value: "id", description: "Only this perk's" },
    member: { type: "string", value: "address", description: "Only this member's" },
    consumed: { type: "string", value: "yes|no", description: "Only codes a till consumed (yes) or not yet (no)" },
  },
  async run(ctx, values) {
    const api = ctx.api(baseUrl(need(values, "api"), "api"));
    const csv = text(values, "csv");
    if (csv === "-" && ctx.json) throw usageError("--csv - and --json both write to stdout: choose one, or give --csv a file name");
    const filters = new URLSearchParams({ limit: String(PAGE) });
    const perk = text(values, "perk");
    if (perk !== undefined) filters.set("perk", perk);
    const member = text(values, "member");
    if (member !== undefined) filters.set("member", address(member, "member"));
    const consumed = text(values, "consumed");
    if (consumed !== undefined) {
      if (consumed !== "yes" && consumed !== "no") throw usageError(`--consumed must be yes or no, not "${consumed}"`);
      filters.set("consumed", consumed === "yes" ? "true" : "false");
    }

    const titles = new Map((await api.json<{ items: Array<{ id: string; title: string }> }>("GET", "/v1/admin/perks")).items.map((p) => [p.id, p.title]));
    const items: Redemption[] = [];
    for (let cursor: string | null = null; ; ) {
      const query = new URLSearchParams(filters);
      if (cursor !== null) query.set("cursor", cursor);
      const page: { items: Redemption[]; nextCursor: string | null } = await api.json("GET", `/v1/admin/redemptions?${query}`);
      items.push(...page.items);
      if (page.nextCursor === null || page.items.length === 0) break;
      cursor = page.nextCursor;
      ctx.progress(`Read ${items.length} redemptions…`);
    }
    const rows = items.map((r) => ({ ...r, perkTitle: titles.get(r.perkId) ?? "" }));
    const count = `${rows.length} redemption${rows.length === 1 ? "" : "s"}`;

    if (csv === "-") {
      ctx.io.stdout.write(toCsv(COLUMNS, rows));
      ctx.progress(`Wrote ${count} as CSV.`);
    } else if (csv !== undefined) {
      await writeFile(ctx.path(csv), toCsv(COLUMNS, rows));
      ctx.say(`Wrote ${count} to ${csv}.`);
    } else {
      for (const r of rows) {
        ctx.say(`${r.createdAt}  ${r.id}  "${r.perkTitle || r.perkId}"  ${r.member}  code ${r.code}  ${r.consumedAt === null ? "not used yet" : `used ${r.consumedAt}`}`);
      }
      ctx.say(`${count}.`);
    }
    return { count: rows.length, ...(csv === undefined || csv === "-" ? {} : { file: ctx.path(csv) }), items: rows };
  },
};
