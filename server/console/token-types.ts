/**
 * Token types: the brand's types per collection with the chain's facts; a new type created on chain
 * (`createTokenType`, signed by the owner's wallet in this page) and then named; a type's name,
 * description and picture changed through the API.
 */
import { parseEther, parseEventLogs, type Address } from "viem";
import { stampbookCollectionAbi, TOKEN_KIND } from "../../contracts/bindings/index.ts";
import { api, ApiProblem, apiUrl } from "./api.ts";
import { brandData, forget, type TokenType } from "./data.ts";
import { act, actionStatus, button, checkbox, el, explain, field, input, panel, report, select, table } from "./dom.ts";
import type { ConsoleContext, Screen } from "./screen.ts";
import { chainClients } from "./wallet.ts";

const DAY = 86_400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function picture(type: Pick<TokenType, "image" | "name">): HTMLElement {
  if (!type.image) return el("span", { className: "thumb placeholder", attrs: { "aria-hidden": "true" }, text: "▣" });
  return el("img", { className: "thumb", attrs: { src: type.image, alt: `Picture of ${type.name}`, width: "40", height: "40" } });
}

function facts(t: TokenType): string {
  const parts = [t.kind === "membership" ? (t.duration === null ? "membership, never expires" : `membership, ${Math.round(t.duration / DAY)} days`) : "collectible"];
  if (t.soulbound) parts.push("soulbound");
  if (t.consumable) parts.push("consumable");
  return parts.join(", ");
}

/**
 * The picture chosen in `file` (if any) uploaded as the type's picture. Retries a few times while the
 * API has not yet seen a type created a moment ago.
 */
async function putWords(type: { collection: string; tokenId: string }, words: { name: string; description: string; attributes?: TokenType["attributes"]; imageUrl?: string }, file: File | undefined, progress: (text: string) => void): Promise<TokenType> {
  const path = `/v1/admin/collections/${type.collection}/types/${type.tokenId}`;
  let named: TokenType | undefined;
  for (let attempt = 0; named === undefined; attempt++) {
    try {
      named = await api<TokenType>("PUT", `${path}/metadata`, words);
    } catch (error) {
      // The API reads the chain's catalog with a short cache: a type made a moment ago shows up within seconds.
      if (!(error instanceof ApiProblem && error.code === "token_type_not_found") || attempt >= 10) throw error;
      await sleep(1_000);
    }
  }
  if (file) {
    progress("Uploading the picture…");
    named = await api<TokenType>("PUT", `${path}/image`, undefined, { raw: { body: await file.arrayBuffer(), type: file.type || "application/octet-stream" } });
  }
  return named;
}

export function tokenTypesScreen(ctx: ConsoleContext): Screen {
  const { config } = ctx;
  const collectionSelect = select([], undefined, { "aria-label": "Collection", id: "types-collection" });
  const list = el("div", { attrs: { id: "types-list" } });
  const listStatus = actionStatus();
  const editor = el("div", { attrs: { id: "type-editor" } });

  // ---- create
  const kind = select([["collectible", "Collectible (stamps, vouchers, badges)"], ["membership", "Membership (one per member)"]], "collectible", { name: "kind" });
  const maxSupply = input({ type: "number", min: "0", step: "1", value: "0", name: "maxSupply" });
  const duration = input({ type: "number", min: "0", step: "1", value: "0", name: "durationDays" });
  const soulbound = checkbox("Soulbound: never transferred");
  const consumable = checkbox("Consumable: holders may burn units to redeem them");
  const price = input({ type: "text", inputmode: "decimal", value: "0", name: "renewalPrice" });
  const points = input({ type: "number", min: "0", step: "1", value: "0", name: "points" });
  const name = input({ name: "name", maxlength: "100", required: "" });
  const description = el("textarea", { attrs: { name: "description", rows: "2", maxlength: "1000" } });
  const file = input({ type: "file", accept: "image/png,image/jpeg,image/webp,image/gif", name: "picture" });
  const durationField = field("Duration (days)", duration, "0: never expires");
  const priceField = field("Renewal price (ETH)", price, "what anyone may pay to renew one period; 0: only the brand renews");
  const consumableLabel = consumable.label;
  const create = button("Sign and create", "primary", "submit");
  const createStatus = actionStatus();
  const createForm = el(
    "form",
    { className: "form-grid", attrs: { id: "create-type", "aria-label": "Create a token type" } },
    field("Name", name),
    field("Kind", kind),
    field("Description", description),
    field("Picture", file, "PNG, JPEG, WebP or GIF"),
    field("Max supply", maxSupply, "0: no cap"),
    field("Points per unit", points),
    durationField,
    priceField,
    el("div", { className: "checks" }, soulbound.label, consumableLabel),
    el("div", { className: "actions" }, create),
    createStatus,
  );
  const syncKind = () => {
    const membership = kind.value === "membership";
    durationField.hidden = !membership;
    priceField.hidden = !membership;
    consumableLabel.hidden = membership;
  };
  kind.addEventListener("change", syncKind);
  syncKind();

  createForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(create, createStatus, "Checking…", async (progress) => {
      const collection = collectionSelect.value as Address;
      if (!collection) throw new Error("The brand has no registered collection to create types on.");
      if (!name.value.trim()) throw new Error("Give the type a name: members read it.");
      const membership = kind.value === "membership";
      const whole = (value: string, what: string) => {
        if (!/^\d+$/.test(value.trim())) throw new Error(`${what} must be a whole number`);
        return BigInt(value.trim());
      };
      const days = membership ? whole(duration.value, "Duration") : 0n;
      let renewalPrice = 0n;
      try {
        renewalPrice = membership ? parseEther(price.value.trim() || "0") : 0n;
      } catch {
        throw new Error("Renewal price must be an amount of ETH, e.g. 0.001");
      }
      const settings = {
        kind: membership ? TOKEN_KIND.membership : TOKEN_KIND.collectible,
        maxSupply: whole(maxSupply.value, "Max supply"),
        duration: Number(days * BigInt(DAY)),
        soulbound: soulbound.box.checked,
        consumable: !membership && consumable.box.checked,
        renewalPrice,
        points: whole(points.value, "Points"),
        // Wallets and marketplaces read names and pictures from the API's ERC-1155 metadata.
        uri: apiUrl(`/v1/metadata/${collection.toLowerCase()}/{id}`),
      };
      progress("Asking your wallet to sign the transaction…");
      const { account, walletClient, publicClient } = await chainClients(config);
      // Simulated first: a refusal comes back as the contract's error, in words, before anything is signed.
      const { request } = await publicClient.simulateContract({ account, address: collection, abi: stampbookCollectionAbi, functionName: "createTokenType", args: [settings] });
      const hash = await walletClient.writeContract(request);
      progress("Waiting for the transaction to be mined…");
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`The transaction ${hash} reverted.`);
      const [created] = parseEventLogs({ abi: stampbookCollectionAbi, logs: receipt.logs, eventName: "TokenTypeCreated" });
      if (!created) throw new Error(`The transaction ${hash} created no token type.`);
      const tokenId = created.args.id.toString();
      progress(`Type #${tokenId} is on chain. Naming it…`);
      const type = await putWords({ collection, tokenId }, { name: name.value.trim(), description: description.value.trim() }, file.files?.[0], progress);
      forget("types");
      createForm.reset();
      syncKind();
      await showList(type);
      return `Created “${type.name}” (type #${tokenId}, transaction ${hash.slice(0, 10)}…).`;
    });
  });

  function editForm(type: TokenType): HTMLElement {
    const editName = input({ value: type.name, maxlength: "100", "aria-label": "Name" });
    const editDescription = el("textarea", { text: type.description, attrs: { rows: "2", maxlength: "1000", "aria-label": "Description" } });
    const editFile = input({ type: "file", accept: "image/png,image/jpeg,image/webp,image/gif", "aria-label": "New picture" });
    const save = button("Save", "primary", "submit");
    const close = button("Close");
    const status = actionStatus();
    const form = el(
      "form",
      { className: "form-grid", attrs: { "aria-label": `Edit ${type.name}` } },
      el("h3", { text: `Edit ${type.name}` }),
      field("Name", editName),
      field("Description", editDescription),
      field("Picture", editFile, type.image ? "leave empty to keep the current one" : "PNG, JPEG, WebP or GIF"),
      el("div", { className: "actions" }, save, close),
      status,
    );
    close.addEventListener("click", () => editor.replaceChildren());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void act(save, status, "Saving…", async (progress) => {
        // A picture hosted elsewhere is kept by saying it again; an uploaded one stays by itself.
        const hosted = type.image && !type.image.startsWith(type.metadataUrl) ? { imageUrl: type.image } : {};
        const saved = await putWords(type, { name: editName.value.trim(), description: editDescription.value.trim(), attributes: type.attributes, ...hosted }, editFile.files?.[0], progress);
        forget("types");
        await showList(saved);
        return `Saved “${saved.name}”.`;
      });
    });
    return form;
  }

  /** Draws the list; `fresh` is a type just written, shown even if the API's list has not caught up. */
  async function showList(fresh?: TokenType) {
    report(listStatus, "pending", "Loading token types…");
    try {
      const collections = await brandData.collections();
      if (collectionSelect.options.length !== collections.length) {
        const chosen = collectionSelect.value;
        collectionSelect.replaceChildren(...collections.map((c) => el("option", { text: c.collection, attrs: { value: c.collection } })));
        if (chosen) collectionSelect.value = chosen;
      }
      const collection = collectionSelect.value;
      if (!collection) {
        list.replaceChildren(el("p", { className: "muted", text: "The brand has no registered collection yet (see README: Tenancy)." }));
        report(listStatus, "done", "");
        return;
      }
      let types = (await brandData.types()).filter((t) => t.collection.toLowerCase() === collection.toLowerCase());
      if (fresh && fresh.collection.toLowerCase() === collection.toLowerCase()) types = [...types.filter((t) => t.tokenId !== fresh.tokenId), fresh].sort((a, b) => Number(a.tokenId) - Number(b.tokenId));
      list.replaceChildren(
        types.length === 0
          ? el("p", { className: "muted", text: "No token types yet: create the first below." })
          : table(
              ["", "Name", "Kind", "Points", "Minted", "#", ""],
              types.map((t) => {
                const edit = button("Edit");
                edit.setAttribute("aria-label", `Edit ${t.name}`);
                edit.addEventListener("click", () => {
                  editor.replaceChildren(editForm(t));
                  editor.scrollIntoView({ block: "nearest" });
                });
                return [picture(t), el("span", {}, el("strong", { text: t.name }), el("br"), el("small", { className: "muted", text: t.description })), facts(t), t.points, `${t.minted}${t.maxSupply === null ? "" : ` of ${t.maxSupply}`}`, t.tokenId, edit];
              }),
              "types",
            ),
      );
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }
  collectionSelect.addEventListener("change", () => void showList());

  const element = el(
    "div",
    {},
    panel("Token types", el("div", { className: "row" }, field("Collection", collectionSelect)), list, listStatus, editor),
    panel("Create a token type", el("p", { className: "muted", text: "Your wallet signs the transaction: it must hold the collection's admin role." }), createForm),
  );
  return {
    element,
    show: async () => {
      forget("types");
      await showList();
    },
  };
}
