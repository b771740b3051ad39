/** `minter grant`: the brand's minter (the key the API mints drops with) gets MINTER_ROLE and becomes the issuing minter. */
import { formatEther, getAddress, type Address } from "viem";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import { address, baseUrl, ether, need, text } from "../args.ts";
import { API_OPTION, COLLECTION_OPTION, RPC_OPTION, type Command } from "../command.ts";
import { txJson, txWords } from "../context.ts";
import { chainFailure, type Sent } from "../chain.ts";
import { usageError } from "../errors.ts";

type MinterView = { address: Address; source: string };

export const minterGrant: Command = {
  words: ["minter", "grant"],
  summary: "Let the brand's minter mint on a collection (MINTER_ROLE, issuing minter, gas money)",
  description: [
    "Finds the brand's minter in the API (GET /v1/admin/minter; when the brand has none, the API makes one: POST /v1/admin/minter {}), or takes --address instead of --api. Then, signed by the collection admin's key (STAMPBOOK_ADMIN_KEY, else STAMPBOOK_DEPLOYER_KEY; environment or Hardhat's keystore): grants it MINTER_ROLE (grantRole) and makes it the issuing minter (setIssuingMinter), each only if not done already, and sends it --fund of the chain's currency for gas.",
  ],
  options: {
    rpc: RPC_OPTION,
    api: API_OPTION,
    collection: COLLECTION_OPTION,
    address: { type: "string", value: "address", description: "The minter's address, instead of asking the API" },
    fund: { type: "string", value: "eth", description: "Send the minter this much of the chain's currency for gas, e.g. 0.1" },
  },
  async run(ctx, values) {
    const collection = address(need(values, "collection"), "collection");
    const apiUrl = text(values, "api");
    const given = text(values, "address");
    if ((apiUrl === undefined) === (given === undefined)) throw usageError("give either --api (the brand's minter, from the API) or --address (a minter of your own)");
    const fund = text(values, "fund") === undefined ? 0n : ether(need(values, "fund"), "fund");

    let minter: Address;
    let createdInApi = false;
    if (given !== undefined) minter = address(given, "address");
    else {
      const api = ctx.api(baseUrl(apiUrl!, "api"));
      const found = (await api.json<{ minter: MinterView | null }>("GET", "/v1/admin/minter")).minter;
      if (found === null) {
        minter = getAddress((await api.json<MinterView>("POST", "/v1/admin/minter", {})).address);
        createdInApi = true;
        ctx.say(`The brand had no minter: the API made one, ${minter}.`);
      } else {
        minter = getAddress(found.address);
        ctx.say(`The brand's minter is ${minter}.`);
      }
    }

    const chain = await ctx.chain(need(values, "rpc"), "admin");
    const read = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
      try {
        return await call();
      } catch (error) {
        throw chainFailure(what, error);
      }
    };
    const transactions: Record<string, ReturnType<typeof txJson>> = {};
    const record = (step: string, sent: Sent) => {
      transactions[step] = txJson(sent);
    };

    const hasRole = await read("Reading the minter's role", () => chain.publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, minter] }));
    if (hasRole) ctx.say(`${minter} holds MINTER_ROLE on ${collection} already.`);
    else {
      const sent = await chain.write(`Granting MINTER_ROLE to ${minter}`, { address: collection, functionName: "grantRole", args: [MINTER_ROLE, minter] });
      record("grantRole", sent);
      ctx.say(`Granted MINTER_ROLE on ${collection} to ${minter}; ${txWords(sent)}.`);
    }

    const issuing = await read("Reading the issuing minter", () => chain.publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "issuingMinter" }));
    if (getAddress(issuing) === minter) ctx.say(`${minter} is the issuing minter already.`);
    else {
      const sent = await chain.write(`Making ${minter} the issuing minter`, { address: collection, functionName: "setIssuingMinter", args: [minter] });
      record("setIssuingMinter", sent);
      ctx.say(`Made ${minter} the issuing minter (its mints cost one storage read less); ${txWords(sent)}.`);
    }

    if (fund > 0n) {
      const sent = await chain.transfer(`Funding the minter with ${formatEther(fund)}`, minter, fund);
      record("fund", sent);
      ctx.say(`Sent ${formatEther(fund)} of the chain's currency to ${minter} for gas; ${txWords(sent)}.`);
    }
    const balance = await read("Reading the minter's balance", () => chain.publicClient.getBalance({ address: minter }));
    ctx.say(`The minter holds ${formatEther(balance)} of the chain's currency.`);
    return { collection, minter, createdInApi, transactions, balance: balance.toString() };
  },
};
