/**
 * `origin add|list|remove`: the web addresses the brand's storefronts and apps run on. Browsers there
 * may call the API and sign members in; anywhere else they get no CORS grant and no nonce.
 */
import { baseUrl, need } from "../args.ts";
import { API_OPTION, type Command } from "../command.ts";

type Origin = { origin: string; createdAt: string };

export const originAdd: Command = {
  words: ["origin", "add"],
  summary: "Let a storefront's web address sign members in",
  description: [
    "Registers an origin (POST /v1/admin/origins) for the brand whose API key is in STAMPBOOK_API_KEY: scheme, host and port, e.g. https://shop.example or http://localhost:5173 (plain http only on this machine).",
    "From then on browsers there may call the API, sign members in (the message names that site) and ask for entitlements addressed to it. An origin serves one brand.",
  ],
  options: { api: { ...API_OPTION, required: true }, origin: { type: "string", value: "url", description: "The storefront's address", required: true } },
  examples: ["stampbook origin add --api http://127.0.0.1:8787 --origin https://shop.example"],
  async run(ctx, values) {
    const api = ctx.api(baseUrl(need(values, "api"), "api"));
    const added = await api.json<Origin>("POST", "/v1/admin/origins", { origin: need(values, "origin") });
    ctx.say(`Members can now sign in at ${added.origin}.`);
    return added;
  },
};

export const originList: Command = {
  words: ["origin", "list"],
  summary: "List the web addresses the brand's storefronts run on",
  description: ["Reads GET /v1/admin/origins for the brand whose API key is in STAMPBOOK_API_KEY."],
  options: { api: { ...API_OPTION, required: true } },
  async run(ctx, values) {
    const api = ctx.api(baseUrl(need(values, "api"), "api"));
    const { items } = await api.json<{ items: Origin[] }>("GET", "/v1/admin/origins");
    if (items.length === 0) ctx.say("No storefront address yet: members sign in only on the deployment's own pages. Add one with `stampbook origin add`.");
    for (const item of items) ctx.say(`${item.origin} (since ${item.createdAt})`);
    return { items };
  },
};

export const originRemove: Command = {
  words: ["origin", "remove"],
  summary: "Stop a web address from signing members in",
  description: ["Removes an origin (DELETE /v1/admin/origins/:origin). Sessions already begun there last until they expire."],
  options: { api: { ...API_OPTION, required: true }, origin: { type: "string", value: "url", description: "The storefront's address", required: true } },
  async run(ctx, values) {
    const api = ctx.api(baseUrl(need(values, "api"), "api"));
    const origin = need(values, "origin").replace(/\/+$/, "");
    await api.json("DELETE", `/v1/admin/origins/${encodeURIComponent(origin)}`);
    ctx.say(`${origin} can no longer sign members in.`);
    return { origin, removed: true };
  },
};
