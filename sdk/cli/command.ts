/** What a command is: its words, its help, its options, and what it does. */
import type { OptionSpecs, OptionValues } from "./args.ts";
import type { Context } from "./context.ts";

export type Command = {
  /** The words that name it: ["collection", "deploy"]. */
  words: readonly string[];
  /** One line for `stampbook --help`. */
  summary: string;
  /** Paragraphs for `stampbook <command> --help`: what it does, step by step, and which key signs. */
  description: readonly string[];
  options: OptionSpecs;
  examples?: readonly string[];
  /** Does it, saying what it did (ctx.say), and returns what `--json` prints. */
  run(ctx: Context, values: OptionValues): Promise<unknown>;
};

/** Options several commands share. */
export const RPC_OPTION = {
  type: "string",
  value: "url",
  description: "The chain's JSON-RPC URL",
  env: "STAMPBOOK_RPC_URL",
  default: "http://127.0.0.1:8545",
} as const;

export const API_OPTION = { type: "string", value: "url", description: "The Stampbook API's base URL", env: "STAMPBOOK_API_URL" } as const;

export const COLLECTION_OPTION = { type: "string", value: "address", description: "The collection's address", required: true } as const;
