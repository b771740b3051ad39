/**
 * Where the CLI's signing keys come from: an environment variable, else Hardhat's keystore
 * (`npx hardhat keystore set STAMPBOOK_DEPLOYER_KEY`), never the command line. A key typed as a flag
 * lands in the shell's history and in every process listing on the machine, so such flags are refused.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isHex, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { CliError } from "./errors.ts";

/** Who signs, and the variables (in the order asked) that may hold its key. */
export const KEY_VARIABLES = {
  /** Deploys collections. */
  deployer: ["STAMPBOOK_DEPLOYER_KEY"],
  /** Holds DEFAULT_ADMIN_ROLE: registers collections, creates token types, grants the minter. The deployer is a new collection's admin. */
  admin: ["STAMPBOOK_ADMIN_KEY", "STAMPBOOK_DEPLOYER_KEY"],
  /** Holds MINTER_ROLE: mints and airdrops. A new collection's admin holds it too. */
  minter: ["STAMPBOOK_MINTER_KEY", "STAMPBOOK_ADMIN_KEY", "STAMPBOOK_DEPLOYER_KEY"],
} as const;

export type KeyRole = keyof typeof KEY_VARIABLES;

/** Reads a secret by name from somewhere other than the environment; undefined when it has none. */
export type SecretReader = (name: string) => Promise<string | undefined>;

export type SigningKey = { account: PrivateKeyAccount; source: string };

const SECRET_FLAGS = ["private-key", "privatekey", "private_key", "key", "pk", "mnemonic", "seed", "secret", "password", "api-key", "apikey"];
const LOOKS_LIKE_A_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Refuses a command line that carries a secret: a key flag (whatever its value), or any value that
 * looks like a private key (32 bytes of hex). Checked before anything else, so nothing is sent.
 */
export function refuseSecretsOnCommandLine(argv: readonly string[]): void {
  for (const arg of argv) {
    const flag = /^--?([^=]+)/.exec(arg)?.[1]?.toLowerCase();
    if (flag !== undefined && SECRET_FLAGS.includes(flag)) {
      const apiKey = flag.startsWith("api");
      throw new CliError(
        `${arg.split("=")[0]} is refused: a secret typed on the command line is kept in your shell's history and shown to every user of this machine in its process list. ` +
          (apiKey
            ? "Put the API key in the environment instead: STAMPBOOK_API_KEY=… stampbook …"
            : "Put the key in the environment (STAMPBOOK_DEPLOYER_KEY, STAMPBOOK_ADMIN_KEY or STAMPBOOK_MINTER_KEY) or in Hardhat's keystore: npx hardhat keystore set STAMPBOOK_DEPLOYER_KEY"),
        { exitCode: 2, kind: "refused" },
      );
    }
    const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (LOOKS_LIKE_A_KEY.test(value)) {
      throw new CliError(
        "a value on the command line looks like a private key (32 bytes of hex), and keys are never taken from the command line: it would stay in your shell's history. Put it in the environment or in Hardhat's keystore (see `stampbook --help`).",
        { exitCode: 2, kind: "refused" },
      );
    }
  }
}

/**
 * The key `role` signs with: the first of its variables set in `env`, else the first found in the
 * keystore `readSecret` reads.
 */
export async function signingKey(role: KeyRole, env: Record<string, string | undefined>, readSecret: SecretReader): Promise<SigningKey> {
  const names = KEY_VARIABLES[role];
  for (const name of names) {
    const value = env[name];
    if (value) return { account: accountOf(value, name), source: `${name} in the environment` };
  }
  for (const name of names) {
    const value = await readSecret(name);
    if (value) return { account: accountOf(value, name), source: `${name} in Hardhat's keystore` };
  }
  throw new CliError(
    `no ${role} key: set ${names.join(" or ")} in the environment, or store it in Hardhat's keystore with \`npx hardhat keystore set ${names[0]}\``,
    { exitCode: 2, kind: "no_key" },
  );
}

function accountOf(value: string, name: string): PrivateKeyAccount {
  const hex = (value.startsWith("0x") ? value : `0x${value}`).trim() as Hex;
  if (!isHex(hex) || hex.length !== 66) throw new CliError(`${name} is not a private key (32 bytes of hex)`, { exitCode: 2, kind: "no_key" });
  try {
    return privateKeyToAccount(hex);
  } catch {
    throw new CliError(`${name} is not a valid secp256k1 private key`, { exitCode: 2, kind: "no_key" });
  }
}

const NOT_FOUND = Symbol("not found");

/**
 * Hardhat's keystore, read the way Hardhat resolves `configVariable(name)`: the development
 * keystore, then the encrypted one (asking for its password on the terminal). The keystore is that of
 * the Hardhat project the command runs in (a `hardhat.config.ts` in the working folder); elsewhere
 * keys come from the environment alone. Hardhat is loaded only when a key is not in the environment.
 */
export function hardhatKeystore(cwd: string = process.cwd()): SecretReader {
  let hre: Promise<import("hardhat/types/hre").HardhatRuntimeEnvironment> | undefined;
  const configPath = join(cwd, "hardhat.config.ts");
  return async (name) => {
    if (!existsSync(configPath)) return undefined;
    hre ??= (async () => {
      const [{ createHardhatRuntimeEnvironment }, { default: config }] = await Promise.all([import("hardhat/hre"), import(pathToFileURL(configPath).href) as Promise<{ default: import("hardhat/types/config").HardhatUserConfig }>]);
      return createHardhatRuntimeEnvironment(config, { config: configPath }, cwd);
    })();
    const { configVariable } = await import("hardhat/config");
    try {
      const value = await (await hre).hooks.runHandlerChain("configurationVariables", "fetchValue", [configVariable(name)], async () => {
        throw NOT_FOUND;
      });
      return value;
    } catch (error) {
      if (error === NOT_FOUND) return undefined;
      throw new CliError(`Hardhat's keystore could not be read for ${name}: ${error instanceof Error ? error.message : String(error)}`, { kind: "no_key", cause: error });
    }
  };
}
