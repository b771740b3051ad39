/**
 * Mint and airdrop: one token type to many addresses (typed, pasted or from a CSV file, whose amount
 * column gives each its own amount; else the form's), checked first with line numbers, then sent as
 * `airdrop` transactions (one amount each) of at most 100 recipients signed by the connected wallet
 * (it needs MINTER_ROLE), with a progress bar and a result per address.
 * A recipient the collection refuses (already holds the membership, cannot receive) fails alone: it
 * leaves its batch, and the rest go.
 */
import type { Address, Hex } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { batches, parseRecipients, type Recipient, type RecipientList } from "./addresses.ts";
import { revertOf, revertWords } from "./chain-errors.ts";
import { brandData, typeKey, typeLabel, type TokenType } from "./data.ts";
import { act, actionStatus, button, el, explain, field, input, panel, report, select } from "./dom.ts";
import type { ConsoleContext, Screen } from "./screen.ts";
import { chainClients } from "./wallet.ts";

export const BATCH_SIZE = 100;
/** Reverts that name one recipient: that recipient fails, the others are sent without it. */
const RECIPIENT_ERRORS = new Set(["MembershipAlreadyHeld", "ERC1155InvalidReceiver"]);

type Outcome = { state: "waiting" | "sending" | "done" | "failed"; text: string; txHash?: Hex };

export function airdropScreen(ctx: ConsoleContext): Screen {
  const typeSelect = select([], undefined, { id: "airdrop-type", "aria-label": "Token type" });
  const amount = input({ type: "number", min: "1", step: "1", value: "1", id: "airdrop-amount" });
  const text = el("textarea", { attrs: { id: "airdrop-addresses", rows: "8", spellcheck: "false", placeholder: "0x… one address per line", "aria-label": "Addresses, one per line" } });
  const file = input({ type: "file", accept: ".csv,text/csv,text/plain", id: "airdrop-csv", "aria-label": "CSV file" });
  const check = button("Check");
  const send = button("Send", "primary");
  const checkStatus = actionStatus();
  checkStatus.id = "airdrop-check";
  const problems = el("ul", { className: "problems", attrs: { id: "airdrop-problems", "aria-label": "Lines to fix" } });
  const progress = el("progress", { attrs: { id: "airdrop-progress", max: "1", value: "0" } });
  const progressText = el("span", { className: "muted" });
  const sendStatus = actionStatus();
  sendStatus.id = "airdrop-status";
  const results = el("tbody");
  const resultTable = el(
    "table",
    { className: "results", attrs: { id: "airdrop-results" } },
    el("thead", {}, el("tr", {}, ...["Line", "Address", "Result"].map((h) => el("th", { text: h, attrs: { scope: "col" } })))),
    results,
  );
  let types: TokenType[] = [];

  const chosenType = () => types.find((t) => typeKey(t.collection, t.tokenId) === typeSelect.value);
  const syncAmount = () => {
    const membership = chosenType()?.kind === "membership";
    amount.disabled = membership;
    if (membership) amount.value = "1";
  };
  typeSelect.addEventListener("change", syncAmount);

  // Typed over, the list is no longer the file's.
  text.addEventListener("input", () => (file.value = ""));
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    text.value = await chosen.text();
    validate();
  });

  /** Checks the list and shows what to fix; the recipients when there is nothing to fix. */
  function validate(): RecipientList {
    const list = parseRecipients(text.value);
    problems.replaceChildren(
      ...list.problems.map((p) => el("li", { className: "problem", text: `Line ${p.line}: ${p.message}` })),
      ...list.repeats.map((r) => el("li", { className: "muted", text: `Line ${r.line} repeats line ${r.first}: sent once` })),
    );
    if (list.problems.length > 0) report(checkStatus, "failed", `${list.problems.length} ${list.problems.length === 1 ? "line needs" : "lines need"} fixing before anything is sent.`);
    else if (list.recipients.length === 0) report(checkStatus, "failed", "No addresses yet: type or paste them, one per line, or choose a CSV file.");
    else {
      const own = list.recipients.filter((r) => r.amount !== null).length;
      const amounts = own === 0 ? "" : own === list.recipients.length ? ", each with the file's amount" : `, ${own} with the file's amount`;
      const counts = new Map<string, number>();
      for (const r of list.recipients) counts.set(String(r.amount), (counts.get(String(r.amount)) ?? 0) + 1);
      const transactions = [...counts.values()].reduce((sum, n) => sum + Math.ceil(n / BATCH_SIZE), 0);
      report(checkStatus, "done", `${list.recipients.length} ${list.recipients.length === 1 ? "address" : "addresses"} ready${amounts}, in ${transactions} ${transactions === 1 ? "transaction" : "transactions"}.`);
    }
    return list;
  }
  check.addEventListener("click", () => void validate());

  send.addEventListener("click", () => {
    void act(send, sendStatus, "Checking…", async (say) => {
      const list = validate();
      if (list.problems.length > 0 || list.recipients.length === 0) throw new Error("Fix the list first (see above).");
      const type = chosenType();
      if (!type) throw new Error("Choose a token type.");
      if (!/^[1-9]\d*$/.test(amount.value.trim())) throw new Error("The amount must be a whole number of at least 1.");
      const units = BigInt(amount.value.trim());

      const rows = new Map<string, HTMLTableRowElement>();
      const mark = (r: Recipient, outcome: Outcome) => {
        const row = rows.get(r.address)!;
        row.dataset.state = outcome.state;
        row.cells[2]!.textContent = outcome.text;
        row.title = outcome.txHash ?? "";
      };
      results.replaceChildren(
        ...list.recipients.map((r) => {
          const row = el("tr", { attrs: { "data-address": r.address, "data-state": "waiting" } }, el("td", { text: String(r.line) }), el("td", { className: "mono", text: r.address }), el("td", { text: "waiting" }));
          rows.set(r.address, row);
          return row;
        }),
      );
      const total = list.recipients.length;
      let settled = 0;
      const advance = (n: number) => {
        settled += n;
        progress.max = total;
        progress.value = settled;
        progressText.textContent = `${settled} of ${total}`;
      };
      advance(0);

      say("Asking your wallet…");
      const { account, walletClient, publicClient } = await chainClients(ctx.config);
      let sent = 0;
      let failed = 0;
      // One airdrop sends one amount: recipients are batched by the amount the file gives them.
      const byAmount = new Map<bigint, Recipient[]>();
      for (const r of list.recipients) byAmount.set(r.amount ?? units, [...(byAmount.get(r.amount ?? units) ?? []), r]);
      const all = [...byAmount].flatMap(([each, group]) => batches(group, BATCH_SIZE).map((batch) => ({ each, batch })));
      for (const [i, { each, batch }] of all.entries()) {
        let pending = batch;
        while (pending.length > 0) {
          say(`Batch ${i + 1} of ${all.length}: checking ${pending.length} ${pending.length === 1 ? "recipient" : "recipients"}…`);
          const args = [BigInt(type.tokenId), pending.map((r) => r.address), each] as const;
          let request;
          try {
            ({ request } = await publicClient.simulateContract({ account, address: type.collection as Address, abi: stampbookCollectionAbi, functionName: "airdrop", args }));
          } catch (error) {
            const revert = revertOf(error);
            const culprit = revert && RECIPIENT_ERRORS.has(revert.errorName) ? pending.find((r) => r.address.toLowerCase() === String(revert.args[0]).toLowerCase()) : undefined;
            if (revert && culprit) {
              mark(culprit, { state: "failed", text: `failed: ${revertWords(revert)}` });
              failed++;
              advance(1);
              pending = pending.filter((r) => r !== culprit);
              continue;
            }
            // The whole batch is refused (no role, supply, pause): each of its recipients says why.
            const why = explain(error);
            for (const r of pending) mark(r, { state: "failed", text: `failed: ${why}` });
            failed += pending.length;
            advance(pending.length);
            break;
          }
          say(`Batch ${i + 1} of ${all.length}: sign the transaction in your wallet…`);
          let hash: Hex;
          try {
            hash = await walletClient.writeContract(request);
          } catch (error) {
            const why = explain(error);
            for (const r of pending) mark(r, { state: "failed", text: `failed: ${why}` });
            failed += pending.length;
            advance(pending.length);
            break;
          }
          for (const r of pending) mark(r, { state: "sending", text: `sending (transaction ${hash.slice(0, 10)}…)`, txHash: hash });
          say(`Batch ${i + 1} of ${all.length}: waiting for the transaction…`);
          const receipt = await publicClient.waitForTransactionReceipt({ hash });
          const ok = receipt.status === "success";
          for (const r of pending) mark(r, ok ? { state: "done", text: `sent ${each} (transaction ${hash.slice(0, 10)}…)`, txHash: hash } : { state: "failed", text: `failed: the transaction ${hash.slice(0, 10)}… reverted`, txHash: hash });
          if (ok) sent += pending.length;
          else failed += pending.length;
          advance(pending.length);
          pending = [];
        }
      }
      const summary = `${sent} of ${total} sent${failed ? `, ${failed} failed (see each address)` : ""}.`;
      if (sent === 0) throw new Error(`Nothing was sent: ${failed} failed (see each address).`);
      return summary;
    });
  });

  const element = el(
    "div",
    {},
    panel(
      "Mint and airdrop",
      el("p", { className: "muted", text: `Your wallet signs one transaction per ${BATCH_SIZE} addresses; it needs MINTER_ROLE on the collection (its admin can grant it).` }),
      el("div", { className: "form-grid" }, field("Token type", typeSelect), field("Amount per address", amount)),
      field("Addresses, one per line", text),
      field("Or a CSV file", file, "one address per line, or a column named address (and one named amount for each its own)"),
      el("div", { className: "actions" }, check, send),
      checkStatus,
      problems,
      el("div", { className: "progress-row" }, progress, progressText),
      sendStatus,
      resultTable,
    ),
  );

  return {
    element,
    show: async () => {
      try {
        types = await brandData.types();
        const chosen = typeSelect.value;
        typeSelect.replaceChildren(...types.map((t) => el("option", { text: typeLabel(t, types), attrs: { value: typeKey(t.collection, t.tokenId) } })));
        if (chosen) typeSelect.value = chosen;
        syncAmount();
      } catch (error) {
        report(checkStatus, "failed", explain(error));
      }
    },
  };
}
