/**
 * `stampbook <command> [options]`: finds the command, parses its options, runs it, and turns every
 * failure into a reason in words and an exit code (0 done, 1 failed, 2 refused before anything was
 * sent: a bad command line, a bad input file, no key).
 */
import { optionsHelp, parseOptions } from "./args.ts";
import type { Command } from "./command.ts";
import { collectionDeploy, collectionRegister } from "./commands/collection.ts";
import { airdrop, mint } from "./commands/mint.ts";
import { minterGrant } from "./commands/minter.ts";
import { originAdd, originList, originRemove } from "./commands/origin.ts";
import { perkCreate } from "./commands/perk.ts";
import { redemptions } from "./commands/redemptions.ts";
import { typeCreate } from "./commands/type.ts";
import { createContext, type CliIo } from "./context.ts";
import { chainErrorInWords } from "./contract-errors.ts";
import { CliError, usageError } from "./errors.ts";
import { refuseSecretsOnCommandLine } from "./keys.ts";

export type { CliIo } from "./context.ts";

/** In the order a brand meets them, from an empty chain to members redeeming a perk. */
export const COMMANDS: readonly Command[] = [collectionDeploy, collectionRegister, typeCreate, minterGrant, mint, airdrop, perkCreate, redemptions, originAdd, originList, originRemove];

const ENVIRONMENT = [
  ["STAMPBOOK_DEPLOYER_KEY", "Key that deploys collections (and, unless the next ones are set, administers and mints)"],
  ["STAMPBOOK_ADMIN_KEY", "Key holding DEFAULT_ADMIN_ROLE: register, type create, minter grant"],
  ["STAMPBOOK_MINTER_KEY", "Key holding MINTER_ROLE: mint, airdrop"],
  ["STAMPBOOK_API_KEY", "The brand's API key (or a staff session token) for the API commands"],
  ["STAMPBOOK_API_URL", "Default for --api"],
  ["STAMPBOOK_RPC_URL", "Default for --rpc (else http://127.0.0.1:8545)"],
  ["EXPLORER_URL", "Block explorer base URL: transactions are linked as <EXPLORER_URL>/tx/<hash>"],
] as const;

const nameOf = (command: Command) => command.words.join(" ");

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => nameOf(c).length)) + 2;
  const envWidth = Math.max(...ENVIRONMENT.map(([name]) => name.length)) + 2;
  return [
    "stampbook: take a brand from an empty chain to members redeeming a perk.",
    "",
    "Usage: stampbook <command> [options]      stampbook <command> --help",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${nameOf(c).padEnd(width)}${c.summary}`),
    "",
    "Keys come from the environment or from Hardhat's keystore (npx hardhat keystore set STAMPBOOK_DEPLOYER_KEY),",
    "never from the command line: --private-key and the like are refused.",
    "",
    "Environment:",
    ...ENVIRONMENT.map(([name, what]) => `  ${name.padEnd(envWidth)}${what}`),
    "",
    "Every command prints what it did, with transaction hashes; --json prints one JSON document instead.",
    "Exit codes: 0 done; 1 failed (the reason is printed); 2 refused before anything was sent.",
    "",
  ].join("\n");
}

function commandHelp(command: Command): string {
  return [
    `Usage: stampbook ${nameOf(command)} [options]`,
    "",
    command.summary,
    "",
    ...command.description.flatMap((p) => [p, ""]),
    "Options:",
    ...optionsHelp(command.options),
    ...(command.examples?.length ? ["", "Example:", ...command.examples.map((e) => `  ${e}`)] : []),
    "",
  ].join("\n");
}

/** The command `argv` names, and the words after its name. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } {
  const command = COMMANDS.find((c) => c.words.every((word, i) => argv[i] === word));
  if (command !== undefined) return { command, rest: argv.slice(command.words.length) };
  const group = COMMANDS.filter((c) => c.words.length > 1 && c.words[0] === argv[0]);
  if (group.length > 0) {
    const asked = argv[1] === undefined || argv[1].startsWith("-") ? "" : ` "${argv[1]}"`;
    throw usageError(`\`stampbook ${argv[0]}\` has no command${asked}: use ${group.map((c) => `\`stampbook ${nameOf(c)}\``).join(" or ")}`);
  }
  throw usageError(`unknown command "${argv[0]}": the commands are ${COMMANDS.map(nameOf).join(", ")} (see \`stampbook --help\`)`);
}

const toJson = (value: unknown) => `${JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;

/** Runs one command line; resolves to the exit code. */
export async function run(commandLine: readonly string[], io: CliIo): Promise<number> {
  // --json may come anywhere, before the command's words too.
  const json = commandLine.includes("--json");
  const argv = commandLine.filter((arg) => arg !== "--json");
  try {
    refuseSecretsOnCommandLine(argv);
    const first = argv[0];
    if (first === undefined || first === "--help" || first === "-h" || (first === "help" && argv.length === 1)) {
      io.stdout.write(mainHelp());
      return first === undefined ? 2 : 0;
    }
    if (first === "help") {
      io.stdout.write(commandHelp(findCommand(argv.slice(1)).command));
      return 0;
    }
    const { command, rest } = findCommand(argv);
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const values = parseOptions(nameOf(command), rest, command.options, io.env);
    const result = await command.run(createContext(io, json), values);
    if (json) io.stdout.write(toJson(result));
    return 0;
  } catch (thrown) {
    const error =
      thrown instanceof CliError
        ? thrown
        : new CliError(`unexpected failure: ${chainErrorInWords(thrown)}`, { kind: "unexpected", cause: thrown });
    io.stderr.write(`stampbook: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join("")}`);
    if (error.kind === "unexpected" && io.env.STAMPBOOK_DEBUG) io.stderr.write(`${(thrown as Error)?.stack ?? String(thrown)}\n`);
    if (json) io.stdout.write(toJson({ error: { kind: error.kind, message: error.message, ...(error.details.length ? { details: error.details } : {}), ...error.data } }));
    return error.exitCode;
  }
}
