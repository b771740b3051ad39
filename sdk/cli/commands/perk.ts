/** `perk create`: a holders-only perk from a rule in a JSON file, with the rule read back in words. */
import { readFile } from "node:fs/promises";
import type { Address } from "viem";
import { baseUrl, need, text, uint } from "../args.ts";
import { API_OPTION, type Command } from "../command.ts";
import { CliError, usageError } from "../errors.ts";

type Perk = { id: string; title: string; description: string; collections: Address[]; rule: unknown; limits: { perMember: number | null; total: number | null }; startsAt: string | null; endsAt: string | null };
/** POST /v1/admin/rules/preview: the rule in the brand's words, and who meets it among the members checked. */
type Preview = { requires: string; qualifying: number; checked: number; of: number };

function limitsInWords(limits: Perk["limits"]): string {
  const per = limits.perMember === null ? "as often as members like" : limits.perMember === 1 ? "once per member" : `${limits.perMember} times per member`;
  return limits.total === null ? per : `${per}, ${limits.total} in total`;
}

export const perkCreate: Command = {
  words: ["perk", "create"],
  summary: "Create a perk from a rule file, and show the rule in words",
  description: [
    'Creates a perk (POST /v1/admin/perks) for the brand whose API key is in STAMPBOOK_API_KEY. --rule names a JSON file holding the rule, e.g. {"type":"member","collection":"0x…","tokenId":"1"}, {"type":"holds","collection":"0x…","tokenId":"3","min":3}, {"type":"all"|"any","rules":[…]}, {"type":"not","rule":{…}}, {"type":"points","min":200} or {"type":"level","min":"silver"}.',
    "Prints the rule as members will read it (POST /v1/admin/rules/preview), and how many signed-in members qualify today.",
  ],
  options: {
    api: { ...API_OPTION, required: true },
    title: { type: "string", value: "text", description: "What members read", required: true },
    rule: { type: "string", value: "file.json", description: "Who may redeem it", required: true },
    description: { type: "string", value: "text", description: "A sentence or two about it" },
    "per-member": { type: "string", value: "n", description: "How often each member may redeem it (default: no limit)" },
    total: { type: "string", value: "n", description: "How many redemptions in all (default: no limit)" },
    "starts-at": { type: "string", value: "time", description: "When it opens (ISO 8601, e.g. 2026-12-01T09:00:00Z)" },
    "ends-at": { type: "string", value: "time", description: "When it closes (ISO 8601)" },
  },
  examples: ['stampbook perk create --api http://127.0.0.1:8787 --title "Free coffee for Gold members" --rule gold.json --per-member 1'],
  async run(ctx, values) {
    const api = ctx.api(baseUrl(need(values, "api"), "api"));
    const file = need(values, "rule");
    let rule: unknown;
    try {
      rule = JSON.parse(await readFile(ctx.path(file), "utf8"));
    } catch (error) {
      const reason = error instanceof SyntaxError ? `it is not JSON (${error.message})` : `it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      throw usageError(`--rule ${file}: ${reason}`);
    }
    const limit = (name: string) => (text(values, name) === undefined ? undefined : Number(uint(need(values, name), name, { max: BigInt(Number.MAX_SAFE_INTEGER) })));
    const time = (name: string) => {
      const value = text(values, name);
      if (value !== undefined && Number.isNaN(Date.parse(value))) throw usageError(`--${name} must be a time such as 2026-12-01T09:00:00Z, not "${value}"`);
      return value === undefined ? undefined : new Date(value).toISOString();
    };
    const perMember = limit("per-member");
    const total = limit("total");
    const startsAt = time("starts-at");
    const endsAt = time("ends-at");
    const description = text(values, "description");

    const perk = await api.json<Perk>("POST", "/v1/admin/perks", {
      title: need(values, "title"),
      rule,
      ...(description === undefined ? {} : { description }),
      ...(perMember === undefined && total === undefined ? {} : { limits: { ...(perMember === undefined ? {} : { perMember }), ...(total === undefined ? {} : { total }) } }),
      ...(startsAt === undefined ? {} : { startsAt }),
      ...(endsAt === undefined ? {} : { endsAt }),
    });
    ctx.say(`Created perk ${perk.id}: "${perk.title}".`);
    // The perk exists now: words that cannot be had (the chain is down) are a note, not a failure.
    let preview: Preview | null = null;
    try {
      preview = await api.json<Preview>("POST", "/v1/admin/rules/preview", { rule: perk.rule });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      ctx.progress(`Note: the rule could not be put in words just now: ${error.message}`);
    }
    if (preview !== null) {
      ctx.say(`Members redeem it with ${preview.requires}.`);
      ctx.say(
        preview.checked === 0
          ? "No member could be checked yet: nobody has signed in."
          : `${preview.qualifying} of the ${preview.checked} signed-in members checked qualify today${preview.of !== preview.checked ? ` (${preview.of} have signed in)` : ""}.`,
      );
    }
    ctx.say(`Limits: ${limitsInWords(perk.limits)}.${perk.startsAt ? ` Opens ${perk.startsAt}.` : ""}${perk.endsAt ? ` Closes ${perk.endsAt}.` : ""}`);
    return { ...perk, requires: preview?.requires ?? null, preview };
  },
};
