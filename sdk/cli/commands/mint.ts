/** `mint` (units to one address) and `airdrop` (the same to every address of a CSV file, in batches). */
import { readFile } from "node:fs/promises";
import type { Address } from "viem";
import { address, need, uint } from "../args.ts";
import { COLLECTION_OPTION, RPC_OPTION, type Command } from "../command.ts";
import { txJson, txWords } from "../context.ts";
import { parseRecipients, type Recipient } from "../csv.ts";
import { CliError, usageError } from "../errors.ts";

const TYPE_OPTION = { type: "string", value: "id", description: "The token type's id", required: true } as const;
const MAX_BATCH = 1_000n;

export const mint: Command = {
  words: ["mint"],
  summary: "Mint units of a token type to one address",
  description: [
    "Mints --amount units of the type to --to (mint), signed by a key holding MINTER_ROLE: STAMPBOOK_MINTER_KEY, else STAMPBOOK_ADMIN_KEY, else STAMPBOOK_DEPLOYER_KEY (environment or Hardhat's keystore). Memberships are minted one at a time and start now.",
  ],
  options: {
    rpc: RPC_OPTION,
    collection: COLLECTION_OPTION,
    type: TYPE_OPTION,
    to: { type: "string", value: "address", description: "Who receives them", required: true },
    amount: { type: "string", value: "n", description: "How many units", default: "1" },
  },
  async run(ctx, values) {
    const collection = address(need(values, "collection"), "collection");
    const id = uint(need(values, "type"), "type", { min: 1n });
    const to = address(need(values, "to"), "to");
    const amount = uint(need(values, "amount"), "amount", { min: 1n });
    const chain = await ctx.chain(need(values, "rpc"), "minter");
    const sent = await chain.write(`Minting ${amount} of type ${id} to ${to}`, { address: collection, functionName: "mint", args: [to, id, amount] });
    ctx.say(`Minted ${amount} unit${amount === 1n ? "" : "s"} of type ${id} to ${to}; ${txWords(sent)}.`);
    return { collection, tokenId: id.toString(), to, amount: amount.toString(), transaction: txJson(sent) };
  },
};

type AirdropResult = { line: number; address: Address; amount: string; status: "minted" | "failed" | "not sent"; transaction: { hash: string; url: string | null } | null; error: string | null };

export const airdrop: Command = {
  words: ["airdrop"],
  summary: "Mint a token type to every address of a CSV file, in batches",
  description: [
    "Reads --csv: one address a row, an optional header row (address[,amount]), an optional amount column (default --amount); blank lines and lines starting with # are skipped. Every row is checked first: if any row is bad (not an address, a bad checksum, an address listed twice, a bad amount) each is reported by its line number and nothing is sent.",
    "Then sends airdrop transactions of up to --batch addresses (one per amount), signed by a key holding MINTER_ROLE (STAMPBOOK_MINTER_KEY, else STAMPBOOK_ADMIN_KEY, else STAMPBOOK_DEPLOYER_KEY), showing progress on stderr and printing a result per address. A batch is all or nothing; when one fails the airdrop stops, and the rows not sent are listed.",
  ],
  options: {
    rpc: RPC_OPTION,
    collection: COLLECTION_OPTION,
    type: TYPE_OPTION,
    csv: { type: "string", value: "file", description: "The recipients", required: true },
    amount: { type: "string", value: "n", description: "Units for each address without an amount of its own", default: "1" },
    batch: { type: "string", value: "n", description: `Addresses per transaction (at most ${MAX_BATCH})`, default: "200" },
  },
  examples: ["stampbook airdrop --collection 0x… --type 3 --csv members.csv"],
  async run(ctx, values) {
    const collection = address(need(values, "collection"), "collection");
    const id = uint(need(values, "type"), "type", { min: 1n });
    const defaultAmount = uint(need(values, "amount"), "amount", { min: 1n });
    const batchSize = Number(uint(need(values, "batch"), "batch", { min: 1n, max: MAX_BATCH }));
    const file = need(values, "csv");
    let content: string;
    try {
      content = await readFile(ctx.path(file), "utf8");
    } catch (error) {
      throw usageError(`--csv ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const { recipients, problems } = parseRecipients(content, defaultAmount);
    if (problems.length > 0) {
      throw new CliError(`${file} has ${problems.length} bad row${problems.length === 1 ? "" : "s"}: nothing was sent. Fix ${problems.length === 1 ? "it" : "them"} and run the airdrop again.`, {
        exitCode: 2,
        kind: "input",
        details: problems,
        data: { problems },
      });
    }

    // One airdrop transaction mints the same amount to each of its recipients.
    const byAmount = new Map<bigint, Recipient[]>();
    for (const r of recipients) byAmount.set(r.amount, [...(byAmount.get(r.amount) ?? []), r]);
    const batches: Array<{ amount: bigint; rows: Recipient[] }> = [];
    for (const [amount, rows] of byAmount) for (let i = 0; i < rows.length; i += batchSize) batches.push({ amount, rows: rows.slice(i, i + batchSize) });

    const chain = await ctx.chain(need(values, "rpc"), "minter");
    ctx.progress(`Airdropping type ${id} to ${recipients.length} address${recipients.length === 1 ? "" : "es"} in ${batches.length} batch${batches.length === 1 ? "" : "es"}.`);
    const results = new Map<number, AirdropResult>(recipients.map((r) => [r.line, { line: r.line, address: r.address, amount: r.amount.toString(), status: "not sent", transaction: null, error: null }]));
    let failure: CliError | null = null;
    let done = 0;
    for (const [i, batch] of batches.entries()) {
      const label = `batch ${i + 1}/${batches.length} (${batch.rows.length} address${batch.rows.length === 1 ? "" : "es"} × ${batch.amount}, lines ${batch.rows[0]!.line}–${batch.rows.at(-1)!.line})`;
      ctx.progress(`Sending ${label}…`);
      try {
        const sent = await chain.write(`Airdrop ${label}`, { address: collection, functionName: "airdrop", args: [id, batch.rows.map((r) => r.address), batch.amount] });
        for (const r of batch.rows) Object.assign(results.get(r.line)!, { status: "minted", transaction: txJson(sent) });
        done += batch.rows.length;
        ctx.progress(`  done: ${done}/${recipients.length} addresses; ${txWords(sent)}`);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        for (const r of batch.rows) Object.assign(results.get(r.line)!, { status: "failed", error: error.message });
        failure = new CliError(`${error.message}. The airdrop stopped: ${done} of ${recipients.length} addresses got theirs; the others are listed above as failed or not sent.`, {
          kind: error.kind,
          data: { ...error.data },
        });
        break;
      }
    }

    const list = [...results.values()];
    for (const r of list) {
      const outcome = r.status === "minted" ? `minted in ${r.transaction!.hash}` : r.status === "failed" ? "failed (see below)" : "not sent";
      ctx.say(`line ${r.line}: ${r.address} × ${r.amount}: ${outcome}`);
    }
    const summary = { collection, tokenId: id.toString(), minted: done, failed: list.filter((r) => r.status === "failed").length, notSent: list.filter((r) => r.status === "not sent").length, results: list };
    if (failure !== null) throw new CliError(failure.message, { kind: failure.kind, data: { ...failure.data, ...summary } });
    ctx.say(`Airdropped type ${id} to all ${done} addresses of ${file}.`);
    return summary;
  },
};
