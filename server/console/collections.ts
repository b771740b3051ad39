/**
 * Collections: the brand's registered collections; a new StampbookCollection deployed by the
 * connected wallet (its admin and treasury); a collection registered for the brand (the API's EIP-712
 * registration, signed by the collection's admin in the wallet), after which that wallet may sign in
 * as owner; and the brand's minter set up on a collection (see minter-setup.ts). This is how a new
 * brand, signed in with its API key, gets from an empty chain to an owner.
 */
import type { RegistrationRequest } from "../../sdk/src/protocol/brands.ts";
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { DEFAULT_ADMIN_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { stampbookCollectionBytecode } from "../../contracts/bindings/stampbookCollectionBytecode.ts";
import { api, queryString } from "./api.ts";
import { brandData, forget, type Collection } from "./data.ts";
import { act, actionStatus, button, el, explain, field, input, panel, report, shortAddress, table, when } from "./dom.ts";
import { minterSetup, type MinterView } from "./minter-setup.ts";
import type { ConsoleContext, Screen } from "./screen.ts";
import { chainClients } from "./wallet.ts";

export function collectionsScreen(ctx: ConsoleContext): Screen {
  const { config } = ctx;
  const list = el("div", { attrs: { id: "collections-list" } });
  const listStatus = actionStatus();

  // ---- deploy
  // Checked by the submit handler, which says what is wrong in words (the browser's own checks would not).
  const name = input({ id: "deploy-name", maxlength: "100" });
  const symbol = input({ id: "deploy-symbol", maxlength: "20" });
  const royalty = input({ id: "deploy-royalty", inputmode: "numeric", value: "0" });
  const contractUri = input({ id: "deploy-contract-uri", placeholder: "https://… (optional)", spellcheck: "false" });
  const deploy = button("Sign and deploy", "primary", "submit");
  const deployStatus = actionStatus();
  deployStatus.id = "deploy-status";
  const deployed = el("p", { className: "mono", attrs: { id: "deployed-collection" } });
  deployed.hidden = true;
  const deployForm = el(
    "form",
    { className: "form-grid", attrs: { id: "deploy-collection", "aria-label": "Deploy a new collection" } },
    field("Name", name, "shown by wallets and marketplaces"),
    field("Symbol", symbol, "short, e.g. ACME"),
    field("Royalty (basis points)", royalty, "250 = 2.5 %, paid to the treasury"),
    field("Contract URI", contractUri, "optional: the collection's ERC-7572 metadata"),
    el("div", { className: "actions" }, deploy),
    deployStatus,
  );

  // ---- register
  const registerAddress = input({ id: "register-address", placeholder: "0x…", spellcheck: "false" });
  const register = button("Sign and register", "primary", "submit");
  const registerStatus = actionStatus();
  registerStatus.id = "register-status";
  const ownerButton = button("Sign in as owner now", "primary");
  ownerButton.id = "sign-in-as-owner";
  ownerButton.hidden = true;
  const ownerStatus = actionStatus();
  const registerForm = el(
    "form",
    { attrs: { id: "register-collection", "aria-label": "Register a collection" } },
    el("div", { className: "form-grid" }, field("Collection address", registerAddress, "signed by a wallet holding the collection's admin role")),
    el("div", { className: "actions" }, register),
    registerStatus,
    el("div", { className: "actions" }, ownerButton),
    ownerStatus,
  );
  let registeredBrand: string | null = null;

  const minter = minterSetup(config, () => showList());

  deployForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(deploy, deployStatus, "Checking…", async (progress) => {
      const words = { name: name.value.trim(), symbol: symbol.value.trim(), uri: contractUri.value.trim() };
      if (!words.name) throw new Error("Give the collection a name: wallets and marketplaces show it.");
      if (!words.symbol) throw new Error("Give the collection a short symbol, e.g. ACME.");
      if (!/^\d+$/.test(royalty.value.trim()) || BigInt(royalty.value.trim()) > 10_000n) throw new Error("Royalty must be a whole number of basis points from 0 to 10000 (250 = 2.5 %).");
      progress("Asking your wallet to sign the deployment…");
      const { account, walletClient, publicClient } = await chainClients(config);
      // The wallet deploying is the collection's admin (admin, minter and pauser roles) and its treasury.
      const hash = await walletClient.deployContract({
        abi: stampbookCollectionAbi,
        bytecode: stampbookCollectionBytecode,
        args: [words.name, words.symbol, account, account, words.uri, BigInt(royalty.value.trim())],
      });
      progress(`Waiting for the deployment (${hash.slice(0, 10)}…) to be mined…`);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`The deployment ${hash} reverted.`);
      const collection = getAddress(receipt.contractAddress);
      deployed.textContent = collection;
      deployed.hidden = false;
      registerAddress.value = collection;
      deployForm.reset();
      return `Deployed “${words.name}” at ${collection}: your wallet ${shortAddress(account)} is its admin and treasury. Register it for the brand next.`;
    });
  });

  registerForm.addEventListener("submit", (event) => {
    event.preventDefault();
    ownerButton.hidden = true;
    report(ownerStatus, "done", "");
    void act(register, registerStatus, "Checking…", async (progress) => {
      const text = registerAddress.value.trim();
      if (!isAddress(text, { strict: false })) throw new Error("That is not a collection address (0x and 40 hex digits).");
      const collection = getAddress(text);
      progress("Asking the API for the registration to sign…");
      const typed = await api<RegistrationRequest>("GET", `/v1/admin/collections/registration${queryString({ collection })}`);
      const { account, walletClient, publicClient } = await chainClients(config);
      // Said in words before anything is signed: the API would refuse it after.
      const code = await publicClient.getCode({ address: collection });
      if (code === undefined || code === "0x") throw new Error(`There is no contract at ${collection} on chain ${config.chainId}.`);
      const admin = await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [DEFAULT_ADMIN_ROLE, account] });
      if (!admin) throw new Error(`Your wallet ${account} does not hold the admin role on ${collection}: connect the wallet that deployed it.`);
      progress("Asking your wallet to sign the registration…");
      const signature = await walletClient.signTypedData({
        account,
        domain: typed.domain,
        types: typed.types,
        primaryType: typed.primaryType,
        message: { ...typed.message, expiresAt: BigInt(typed.message.expiresAt) },
      });
      progress("Registering…");
      const registered = await api<Collection>("POST", "/v1/admin/collections", { collection, signer: account, nonce: typed.message.nonce, expiresAt: Number(typed.message.expiresAt), signature });
      forget("collections", "types");
      registeredBrand = registered.brandId;
      const session = ctx.session();
      // The wallet that signed is an owner now: offer it the console as one.
      ownerButton.hidden = session.via === "wallet" && session.role === "owner" && session.address === getAddress(account);
      await showList();
      return `Registered ${collection} for ${typed.message.brandName}: its admin ${shortAddress(account)} can sign in as owner.`;
    });
  });

  ownerButton.addEventListener("click", () =>
    void act(ownerButton, ownerStatus, "Asking your wallet to sign you in…", async () => {
      const signed = await ctx.signInWithWallet(registeredBrand ?? ctx.session().brandId);
      return `Signed in as ${signed.role}.`;
    }),
  );

  async function showList() {
    report(listStatus, "pending", "Loading collections…");
    try {
      forget("collections");
      const [collections, minterView] = await Promise.all([
        brandData.collections(),
        api<{ minter: MinterView | null }>("GET", "/v1/admin/minter").then((r) => r.minter).catch(() => null),
      ]);
      const canMint = (c: Collection) => minterView?.collections.find((m) => m.collection.toLowerCase() === c.collection.toLowerCase())?.canMint;
      list.replaceChildren(
        collections.length === 0
          ? el("p", { className: "muted", text: "The brand has no registered collection yet: deploy one below with your wallet and register it (or register one deployed elsewhere)." })
          : table(
              ["Collection", "Admin who registered it", "Registered", "Brand's minter may mint"],
              collections.map((c) => {
                const can = canMint(c);
                return [el("span", { className: "mono", text: getAddress(c.collection) }), el("span", { className: "mono", text: shortAddress(c.admin), attrs: { title: c.admin } }), when(c.registeredAt), minterView === null ? "no minter yet" : can === true ? "yes" : can === false ? "not yet" : "unknown"];
              }),
              "collections",
            ),
      );
      minter.setCollections(collections.map((c) => getAddress(c.collection)));
      report(listStatus, "done", "");
    } catch (error) {
      report(listStatus, "failed", explain(error));
    }
  }

  const element = el(
    "div",
    {},
    panel("Collections", list, listStatus),
    panel("Deploy a new collection", el("p", { className: "muted", text: "Your wallet deploys a StampbookCollection and becomes its admin (admin, minter and pauser roles) and its treasury. It needs a little ETH for gas." }), deployForm, deployed),
    panel("Register a collection", el("p", { className: "muted", text: "The brand claims the collection: its admin signs the registration in the wallet (nothing is sent to the chain). Then that wallet is an owner of the brand's console." }), registerForm),
    panel("Set up the minter", el("p", { className: "muted", text: "The brand's minter is the key the API mints drops with. Your wallet (the collection's admin) grants it MINTER_ROLE, makes it the issuing minter and sends it gas money; steps already done are skipped." }), minter.element),
  );
  return { element, show: showList };
}
