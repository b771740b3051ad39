/**
 * Setting up the brand's minter (the key the API mints drops with) on one collection, in steps that
 * each say pending, done or failed: the minter made in the API if the brand has none; MINTER_ROLE
 * granted and the issuing minter set by the connected wallet (the collection's admin); the minter's
 * gas money topped up. A step already done is skipped, so running it again is safe.
 */
import { formatEther, getAddress, parseEther, type Address, type Hex } from "viem";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { api } from "./api.ts";
import type { ConsoleConfig } from "./config.ts";
import { act, actionStatus, button, el, explain, field, input, report, select, shortAddress } from "./dom.ts";
import { chainClients } from "./wallet.ts";

export type MinterView = { address: Address; source: "generated" | "supplied"; createdAt: string; collections: Array<{ collection: Address; canMint: boolean | null }> };

const STEPS = [
  ["minter", "The brand's minter"],
  ["role", "MINTER_ROLE on the collection"],
  ["issuing", "Issuing minter"],
  ["gas", "Gas money"],
] as const;
type Step = (typeof STEPS)[number][0];

const short = (hash: Hex) => `${hash.slice(0, 10)}…`;

export function minterSetup(config: ConsoleConfig, changed: () => Promise<void>) {
  const collection = select([], undefined, { id: "minter-collection" });
  const fund = input({ id: "minter-fund", inputmode: "decimal", value: "0.05" });
  const run = button("Set up the minter", "primary", "submit");
  const status = actionStatus();
  status.id = "minter-status";
  const rows = new Map<Step, { item: HTMLLIElement; state: HTMLElement }>();
  const steps = el(
    "ol",
    { className: "steps", attrs: { id: "minter-steps" } },
    ...STEPS.map(([key, title]) => {
      const state = actionStatus();
      const item = el("li", { attrs: { "data-step": key } }, el("strong", { text: title }), state);
      rows.set(key, { item, state });
      return item;
    }),
  );
  const form = el(
    "form",
    { attrs: { id: "minter-setup", "aria-label": "Set up the minter" } },
    el("div", { className: "form-grid" }, field("Collection", collection), field("Gas money for the minter (ETH)", fund, "topped up to this much; 0: none")),
    el("div", { className: "actions" }, run),
    steps,
    status,
  );

  function mark(step: Step, state: "pending" | "done" | "failed", text: string) {
    const row = rows.get(step)!;
    row.item.dataset.state = state;
    report(row.state, state, text);
  }

  /** Runs one step: pending meanwhile, then its words (done) or the error's (failed, and the steps after it do not run). */
  async function step<T>(key: Step, pending: string, work: (progress: (text: string) => void) => Promise<{ text: string; value: T }>): Promise<T> {
    mark(key, "pending", pending);
    try {
      const { text, value } = await work((text) => mark(key, "pending", text));
      mark(key, "done", text);
      return value;
    } catch (error) {
      mark(key, "failed", explain(error));
      throw error;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(run, status, "Setting up the minter…", async () => {
      const target = collection.value as Address;
      if (!target) throw new Error("Register a collection first: the minter is set up on one.");
      let amount: bigint;
      try {
        amount = parseEther(fund.value.trim() || "0");
      } catch {
        throw new Error("Gas money must be an amount of ETH, e.g. 0.05");
      }
      for (const [key] of STEPS) {
        delete rows.get(key)!.item.dataset.state;
        report(rows.get(key)!.state, "done", "");
      }

      const minter = await step("minter", "Asking the API for the brand's minter…", async (progress) => {
        const found = (await api<{ minter: MinterView | null }>("GET", "/v1/admin/minter")).minter;
        if (found !== null) return { text: `${getAddress(found.address)}, made already.`, value: getAddress(found.address) };
        progress("The brand has none: the API makes one…");
        const made = await api<MinterView>("POST", "/v1/admin/minter", {});
        return { text: `Made ${getAddress(made.address)} (its key stays in the API).`, value: getAddress(made.address) };
      });

      const { account, walletClient, publicClient } = await chainClients(config);
      /** The transaction `hash` mined, or why not. */
      const mined = async (progress: (text: string) => void, hash: Hex): Promise<Hex> => {
        progress(`Waiting for ${short(hash)} to be mined…`);
        const receipt = await publicClient.waitForTransactionReceipt({ hash });
        if (receipt.status !== "success") throw new Error(`The transaction ${hash} reverted.`);
        return hash;
      };
      const signing = "Asking your wallet to sign the transaction…";

      await step("role", "Reading the minter's role…", async (progress) => {
        const has = await publicClient.readContract({ address: target, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, minter] });
        if (has) return { text: `${shortAddress(minter)} holds it already.`, value: null };
        // Simulated first: a refusal comes back as the contract's error, in words, before anything is signed.
        const { request } = await publicClient.simulateContract({ account, address: target, abi: stampbookCollectionAbi, functionName: "grantRole", args: [MINTER_ROLE, minter] });
        progress(signing);
        const hash = await mined(progress, await walletClient.writeContract(request));
        return { text: `Granted to ${shortAddress(minter)} (transaction ${short(hash)}).`, value: null };
      });

      await step("issuing", "Reading the issuing minter…", async (progress) => {
        const issuing = await publicClient.readContract({ address: target, abi: stampbookCollectionAbi, functionName: "issuingMinter" });
        if (getAddress(issuing) === minter) return { text: `${shortAddress(minter)} is the issuing minter already.`, value: null };
        const { request } = await publicClient.simulateContract({ account, address: target, abi: stampbookCollectionAbi, functionName: "setIssuingMinter", args: [minter] });
        progress(signing);
        const hash = await mined(progress, await walletClient.writeContract(request));
        return { text: `${shortAddress(minter)} is the issuing minter: its mints cost one storage read less (transaction ${short(hash)}).`, value: null };
      });

      await step("gas", "Reading the minter's balance…", async (progress) => {
        const balance = await publicClient.getBalance({ address: minter });
        if (amount === 0n) return { text: `Skipped: none asked for (it holds ${formatEther(balance)} ETH).`, value: null };
        if (balance >= amount) return { text: `It holds ${formatEther(balance)} ETH already.`, value: null };
        progress(signing);
        const hash = await mined(progress, await walletClient.sendTransaction({ account, to: minter, value: amount - balance }));
        return { text: `Sent ${formatEther(amount - balance)} ETH: it holds ${formatEther(amount)} ETH (transaction ${short(hash)}).`, value: null };
      });

      await changed();
      return `The brand's minter ${shortAddress(minter)} can mint on ${shortAddress(target)}: drops are claimed without gas.`;
    });
  });

  return {
    element: form,
    /** The registered collections to choose from (the first chosen unless one was). */
    setCollections(collections: Address[]) {
      const chosen = collection.value;
      collection.replaceChildren(...collections.map((c) => el("option", { text: c, attrs: { value: c } })));
      if (collections.some((c) => c === chosen)) collection.value = chosen;
      run.disabled = collections.length === 0;
    },
  };
}
