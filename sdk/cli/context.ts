/**
 * What a command runs with: where it writes (sentences on stdout, progress on stderr, or one JSON
 * document with `--json`), the environment, and the keys, chain and API it reaches through them.
 */
import { isAbsolute, resolve } from "node:path";
import type { Hex } from "viem";
import { createApiClient, type ApiClient } from "./api.ts";
import { connectChain, type ChainSession, type Sent } from "./chain.ts";
import { signingKey, type KeyRole, type SecretReader } from "./keys.ts";

export type CliIo = {
  env: Record<string, string | undefined>;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Relative file names are read from here. */
  cwd: string;
  /** Where keys not in the environment are looked for (Hardhat's keystore). */
  readSecret: SecretReader;
  fetch?: typeof fetch;
};

export type Context = {
  io: CliIo;
  json: boolean;
  /** A sentence about what was done: stdout, unless --json. */
  say(line: string): void;
  /** Progress of a long run: stderr, always (stdout stays one JSON document with --json). */
  progress(line: string): void;
  /** An absolute path for a file name given on the command line. */
  path(name: string): string;
  /** The chain at `rpcUrl`, signing with `role`'s key (it says which key and address). */
  chain(rpcUrl: string, role: KeyRole): Promise<ChainSession>;
  api(base: string): ApiClient;
};

export function createContext(io: CliIo, json: boolean): Context {
  const say = (line: string) => {
    if (!json) io.stdout.write(`${line}\n`);
  };
  return {
    io,
    json,
    say,
    progress: (line) => io.stderr.write(`${line}\n`),
    path: (name) => (isAbsolute(name) ? name : resolve(io.cwd, name)),
    async chain(rpcUrl, role) {
      const key = await signingKey(role, io.env, io.readSecret);
      const session = await connectChain({ rpcUrl, account: key.account, explorerUrl: io.env.EXPLORER_URL });
      say(`Signing as ${key.account.address} (${role} key from ${key.source}) on chain ${session.chain.id} at ${rpcUrl}.`);
      return session;
    },
    api: (base) => createApiClient({ base, apiKey: io.env.STAMPBOOK_API_KEY, ...(io.fetch === undefined ? {} : { fetch: io.fetch }) }),
  };
}

/** "transaction 0x… (https://explorer/tx/0x…)" */
export function txWords(sent: Pick<Sent, "hash" | "url">): string {
  return `transaction ${sent.hash}${sent.url === null ? "" : ` ${sent.url}`}`;
}

/** A transaction as `--json` shows it. */
export function txJson(sent: Pick<Sent, "hash" | "url">): { hash: Hex; url: string | null } {
  return { hash: sent.hash, url: sent.url };
}
