/** `type create`: a token type on chain, then its name, words and picture in the API. */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { formatEther, parseEventLogs } from "viem";
import { stampbookCollectionAbi, TOKEN_KIND } from "../../../contracts/bindings/index.ts";
import { metadataUriOf } from "../../../server/catalog/urls.ts";
import { ApiProblem, type ApiClient } from "../api.ts";
import { address, baseUrl, duration, durationInWords, ether, need, text, uint } from "../args.ts";
import { API_OPTION, COLLECTION_OPTION, RPC_OPTION, type Command } from "../command.ts";
import { txJson, txWords } from "../context.ts";
import { CliError, usageError } from "../errors.ts";

const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif" };
const UINT64_MAX = 2n ** 64n - 1n;
const UINT128_MAX = 2n ** 128n - 1n;

/** The API reads a collection's types at most once a second on a miss: a type created a moment ago may need a second try. */
async function untilTypeKnown<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ApiProblem && error.code === "token_type_not_found") || tries >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
  }
}

export const typeCreate: Command = {
  words: ["type", "create"],
  summary: "Create a token type (membership or collectible), with its name and picture",
  description: [
    "Creates a token type on the collection (createTokenType), signed by the collection admin's key (STAMPBOOK_ADMIN_KEY, else STAMPBOOK_DEPLOYER_KEY; environment or Hardhat's keystore).",
    "With --api (and the brand's key in STAMPBOOK_API_KEY) the type's metadata URI is the API's (<api>/v1/metadata/<collection>/{id}), and --name/--description and --image are set in the API (PUT …/types/<id>/metadata and …/image). The collection must be registered to the brand (stampbook collection register).",
  ],
  options: {
    rpc: RPC_OPTION,
    api: API_OPTION,
    collection: COLLECTION_OPTION,
    kind: { type: "string", value: "membership|collectible", description: "What the type is", required: true },
    "max-supply": { type: "string", value: "n", description: "Cap on units ever minted; 0: no cap", default: "0" },
    duration: { type: "string", value: "30d", description: "How long a membership lasts from mint or renewal (s, m, h, d, w, y; 0 or never: forever)", default: "0" },
    soulbound: { type: "boolean", description: "Units can never move between holders" },
    consumable: { type: "boolean", description: "Holders may burn units to redeem them (collectibles only)" },
    price: { type: "string", value: "eth", description: "Price of one renewal period that anyone may pay (expiring memberships only); 0: only the brand renews", default: "0" },
    points: { type: "string", value: "n", description: "Loyalty points each unit is worth", default: "0" },
    name: { type: "string", value: "text", description: "What members read, e.g. \"Gold membership\" (needs --api)" },
    description: { type: "string", value: "text", description: "A sentence or two about it (needs --api and --name)" },
    image: { type: "string", value: "file", description: "Its picture: a PNG, JPEG, WebP or GIF file (needs --api)" },
    uri: { type: "string", value: "uri", description: "Metadata URI to use instead of the API's" },
  },
  examples: ['stampbook type create --collection 0x… --kind membership --duration 30d --price 0.001 --points 100 --api http://127.0.0.1:8787 --name "Gold membership" --image gold.png'],
  async run(ctx, values) {
    const collection = address(need(values, "collection"), "collection");
    const kindName = need(values, "kind");
    if (kindName !== "membership" && kindName !== "collectible") throw usageError(`--kind must be membership or collectible, not "${kindName}"`);
    const maxSupply = uint(need(values, "max-supply"), "max-supply", { max: UINT64_MAX });
    const seconds = duration(need(values, "duration"), "duration");
    const renewalPrice = ether(need(values, "price"), "price");
    if (renewalPrice > UINT128_MAX) throw usageError("--price is more than the collection can store");
    const points = uint(need(values, "points"), "points", { max: UINT128_MAX });
    const soulbound = values.soulbound === true;
    const consumable = values.consumable === true;
    const name = text(values, "name");
    const description = text(values, "description");
    const imageFile = text(values, "image");
    const apiUrl = text(values, "api");

    // Everything that could fail is checked before the transaction is sent.
    let api: ApiClient | null = null;
    if (apiUrl !== undefined) api = ctx.api(baseUrl(apiUrl, "api"));
    else if (name !== undefined || description !== undefined || imageFile !== undefined) {
      throw usageError("--name, --description and --image are kept by the API: give --api (and STAMPBOOK_API_KEY)");
    }
    if (description !== undefined && name === undefined) throw usageError("--description needs --name");
    let image: { bytes: Uint8Array; type: string } | null = null;
    if (imageFile !== undefined) {
      const type = IMAGE_TYPES[extname(imageFile).toLowerCase()];
      if (type === undefined) throw usageError(`--image must be a .png, .jpg, .webp or .gif file, not "${imageFile}"`);
      try {
        image = { bytes: await readFile(ctx.path(imageFile)), type };
      } catch (error) {
        throw usageError(`--image ${imageFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    if (api !== null && (name !== undefined || image !== null)) {
      // The API names only its brand's collections: asked now, so nothing is sent when it would refuse.
      const { items } = await api.json<{ items: Array<{ collection: string }> }>("GET", "/v1/admin/collections");
      if (!items.some((c) => c.collection.toLowerCase() === collection.toLowerCase())) {
        throw new CliError(`${collection} is not registered to this brand in the API, so the type could not be named: run \`stampbook collection register\` first. Nothing was sent.`, { exitCode: 2, kind: "not_registered" });
      }
    }
    const uri = text(values, "uri") ?? (api === null ? "" : metadataUriOf(new URL(api.base), collection));

    const chain = await ctx.chain(need(values, "rpc"), "admin");
    const config = { kind: TOKEN_KIND[kindName], maxSupply, duration: seconds, soulbound, consumable, renewalPrice, points, uri };
    const sent = await chain.write("Creating the token type", { address: collection, functionName: "createTokenType", args: [config] });
    const created = parseEventLogs({ abi: stampbookCollectionAbi, logs: sent.receipt.logs, eventName: "TokenTypeCreated" }).find((l) => l.address.toLowerCase() === collection.toLowerCase());
    if (created === undefined) throw new CliError(`${txWords(sent)} succeeded but logged no TokenTypeCreated: is ${collection} a Stampbook collection?`, { kind: "chain" });
    const id = created.args.id;
    const terms = [
      kindName === "membership" ? `membership (${durationInWords(seconds)})` : "collectible",
      maxSupply === 0n ? "no supply cap" : `at most ${maxSupply} units`,
      soulbound ? "soulbound" : null,
      consumable ? "consumable" : null,
      renewalPrice > 0n ? `renewal ${formatEther(renewalPrice)} ETH a period` : null,
      `${points} points a unit`,
    ].filter(Boolean);
    ctx.say(`Created token type ${id} on ${collection}: ${terms.join(", ")}; ${txWords(sent)}.`);
    if (uri !== "") ctx.say(`Its metadata URI is ${uri}.`);

    const path = `/v1/admin/collections/${collection}/types/${id}`;
    let metadata: { name: string; image: string | null; metadataUrl: string } | null = null;
    try {
      if (api !== null && name !== undefined) {
        metadata = await untilTypeKnown(() => api.json("PUT", `${path}/metadata`, { name, ...(description === undefined ? {} : { description }) }));
        ctx.say(`Named it "${name}" in the API.`);
      }
      if (api !== null && image !== null) {
        const { bytes, type } = image;
        metadata = await untilTypeKnown(() => api.upload(`${path}/image`, type, bytes));
        ctx.say(`Uploaded its picture: ${metadata!.image}.`);
      }
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      throw new CliError(`token type ${id} was created (${txWords(sent)}), but ${error.message}. Name it again with PUT ${path}/metadata or in the console.`, {
        kind: error.kind,
        data: { ...error.data, tokenId: id.toString(), transaction: txJson(sent) },
      });
    }
    if (metadata !== null && text(values, "uri") === undefined && uri.replace("{id}", id.toString()) !== metadata.metadataUrl) {
      // The API's public address differs from the one used to reach it (a proxy, a private network).
      ctx.progress(`Note: the API serves this type's metadata at ${metadata.metadataUrl}, but the type's URI says ${uri}; give --uri with the public address next time, or change it with setTokenURI.`);
    }
    return {
      collection,
      tokenId: id.toString(),
      kind: kindName,
      maxSupply: maxSupply.toString(),
      duration: seconds,
      soulbound,
      consumable,
      renewalPrice: renewalPrice.toString(),
      points: points.toString(),
      uri,
      transaction: txJson(sent),
      metadata,
    };
  },
};
