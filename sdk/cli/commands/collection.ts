/** `collection deploy` (a new StampbookCollection on any chain) and `collection register` (the brand claims it in the API). */
import { getAddress, zeroAddress, type Address, type Hex } from "viem";
import { stampbookCollectionBytecode } from "../../../contracts/bindings/stampbookCollectionBytecode.ts";
import { address, baseUrl, need, text, uint } from "../args.ts";
import { API_OPTION, COLLECTION_OPTION, RPC_OPTION, type Command } from "../command.ts";
import { txJson, txWords, type Context } from "../context.ts";
import { usageError } from "../errors.ts";
import { signingKey } from "../keys.ts";

export const collectionDeploy: Command = {
  words: ["collection", "deploy"],
  summary: "Deploy a new StampbookCollection",
  description: [
    "Deploys a StampbookCollection (ERC-1155 memberships and collectibles) to the chain at --rpc, signed by the deployer key: STAMPBOOK_DEPLOYER_KEY in the environment, or the same name in Hardhat's keystore (npx hardhat keystore set STAMPBOOK_DEPLOYER_KEY). Keys are never taken from the command line.",
    "The admin (the deployer unless --admin says otherwise) receives DEFAULT_ADMIN_ROLE, MINTER_ROLE and PAUSER_ROLE and is the issuing minter; the treasury receives voucher and renewal payments and the default royalty.",
  ],
  options: {
    rpc: RPC_OPTION,
    name: { type: "string", value: "text", description: "Collection name shown by wallets and marketplaces", default: "Stampbook" },
    symbol: { type: "string", value: "text", description: "Short symbol", default: "STAMP" },
    "contract-uri": { type: "string", value: "uri", description: "ERC-7572 collection metadata URI", default: "" },
    "royalty-bps": { type: "string", value: "n", description: "Default ERC-2981 royalty in basis points (250 = 2.5 %), paid to the treasury", default: "0" },
    admin: { type: "string", value: "address", description: "Receives the admin, minter and pauser roles (default: the deployer)" },
    treasury: { type: "string", value: "address", description: "Receives payments and royalties (default: the admin)" },
  },
  examples: ["STAMPBOOK_DEPLOYER_KEY=0x… stampbook collection deploy --rpc https://sepolia.example/rpc --name \"Acme Club\" --symbol ACME --royalty-bps 250"],
  async run(ctx, values) {
    const name = need(values, "name");
    const symbol = need(values, "symbol");
    const contractUri = text(values, "contract-uri") ?? "";
    const royaltyBps = uint(need(values, "royalty-bps"), "royalty-bps", { max: 10_000n });
    const adminOption = text(values, "admin");
    const treasuryOption = text(values, "treasury");
    const admin = adminOption === undefined ? undefined : address(adminOption, "admin");
    const treasury = treasuryOption === undefined ? undefined : address(treasuryOption, "treasury");
    if (admin === zeroAddress) throw usageError("--admin cannot be the zero address: nobody could ever manage the collection");
    if (treasury === zeroAddress) throw usageError("--treasury cannot be the zero address: payments would be lost");
    const bytecode = stampbookCollectionBytecode;

    const chain = await ctx.chain(need(values, "rpc"), "deployer");
    const adminAddress = admin ?? chain.account.address;
    const treasuryAddress = treasury ?? adminAddress;
    const sent = await chain.deploy("Deploying the collection", bytecode, [name, symbol, adminAddress, treasuryAddress, contractUri, royaltyBps]);
    const link = chain.addressUrl(sent.address);
    ctx.say(`Deployed StampbookCollection "${name}" (${symbol}) at ${sent.address} on chain ${chain.chain.id}${link === null ? "" : ` ${link}`}, ${txWords(sent)}.`);
    ctx.say(`Admin (DEFAULT_ADMIN_ROLE, MINTER_ROLE, PAUSER_ROLE, issuing minter): ${adminAddress}. Treasury: ${treasuryAddress}. Royalty: ${royaltyBps} basis points.`);
    ctx.say(`Next: stampbook collection register --collection ${sent.address} --api <url>`);
    return {
      collection: sent.address,
      chainId: chain.chain.id,
      name,
      symbol,
      contractUri,
      royaltyBps: Number(royaltyBps),
      admin: adminAddress,
      treasury: treasuryAddress,
      transaction: txJson(sent),
    };
  },
};

type RegistrationRequest = {
  domain: { name: string; version: string; chainId: number };
  types: Record<string, Array<{ name: string; type: string }>>;
  primaryType: "RegisterCollection";
  message: { brand: string; brandName: string; collection: Address; nonce: Hex; expiresAt: string };
};

export const collectionRegister: Command = {
  words: ["collection", "register"],
  summary: "Register a collection for the brand in the API (signed by its admin)",
  description: [
    "Asks the API for the brand's EIP-712 registration of the collection (GET /v1/admin/collections/registration), signs it with the collection admin's key (STAMPBOOK_ADMIN_KEY, else STAMPBOOK_DEPLOYER_KEY; environment or Hardhat's keystore) and sends it (POST /v1/admin/collections). The API checks on chain that the signer holds DEFAULT_ADMIN_ROLE.",
    "The brand is the one whose API key is in STAMPBOOK_API_KEY. Nothing is sent to the chain.",
  ],
  options: { api: { ...API_OPTION, required: true }, collection: COLLECTION_OPTION },
  async run(ctx, values) {
    const api = ctx.api(baseUrl(need(values, "api"), "api"));
    const collection = address(need(values, "collection"), "collection");
    const key = await signingKey("admin", ctx.io.env, ctx.io.readSecret);
    const signer = key.account;
    ctx.say(`Signing as ${signer.address} (admin key from ${key.source}).`);

    const typed = await api.json<RegistrationRequest>("GET", `/v1/admin/collections/registration?collection=${collection}`);
    const signature = await signer.signTypedData({
      domain: typed.domain,
      types: typed.types,
      primaryType: typed.primaryType,
      message: { ...typed.message, expiresAt: BigInt(typed.message.expiresAt) },
    });
    const { status, body } = await api.call<{ collection: Address; brandId: string; admin: Address; registeredAt: string }>("POST", "/v1/admin/collections", {
      collection,
      signer: signer.address,
      nonce: typed.message.nonce,
      expiresAt: Number(typed.message.expiresAt),
      signature,
    });
    const created = status === 201;
    ctx.say(
      created
        ? `Registered ${getAddress(body.collection)} for brand "${typed.message.brandName}" (${body.brandId}), signed by its admin ${body.admin} on chain ${typed.domain.chainId}.`
        : `${getAddress(body.collection)} was registered for brand "${typed.message.brandName}" (${body.brandId}) already, on ${body.registeredAt}.`,
    );
    return { ...body, brandName: typed.message.brandName, chainId: typed.domain.chainId, created };
  },
};
