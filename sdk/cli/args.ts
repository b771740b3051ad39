/**
 * Command lines: each command declares its options once, and that declaration both parses
 * (node:util parseArgs, strict: an unknown option is an error) and prints the help.
 */
import { parseArgs } from "node:util";
import { getAddress, isAddress, parseEther, type Address } from "viem";
import { usageError } from "./errors.ts";

export type OptionSpec = {
  type: "string" | "boolean";
  /** What the value is, in the help: `--rpc <url>`. */
  value?: string;
  description: string;
  required?: boolean;
  /** Read from this environment variable when the option is not given. */
  env?: string;
  /** Used when neither the option nor its variable is given (shown in the help). */
  default?: string;
};

export type OptionSpecs = Record<string, OptionSpec>;

/** Parsed values: strings for string options, true for a given boolean option. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  json: { type: "boolean", description: "Print one JSON document on stdout instead of sentences" },
  help: { type: "boolean", description: "Show this help" },
} as const satisfies OptionSpecs;

/**
 * Parses `args` (what follows the command's words) against `specs`, filling in variables and
 * defaults from `env`; missing required options and stray words are usage errors.
 */
export function parseOptions(command: string, args: string[], specs: OptionSpecs, env: Record<string, string | undefined>): OptionValues {
  const all: OptionSpecs = { ...specs, ...GLOBAL_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(all).map(([name, spec]) => [name, { type: spec.type }])),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw usageError(`${parseErrorInWords(error)} (see \`stampbook ${command} --help\`)`);
  }
  if (parsed.positionals.length > 0) throw usageError(`\`stampbook ${command}\` takes no word "${parsed.positionals[0]}": options start with -- (see \`stampbook ${command} --help\`)`);
  const values: OptionValues = { ...parsed.values } as OptionValues;
  if (values.help === true) return values;
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] === undefined && spec.env !== undefined && env[spec.env]) values[name] = env[spec.env];
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
    if (spec.required && (values[name] === undefined || values[name] === "")) {
      throw usageError(`\`stampbook ${command}\` needs --${name}${spec.value ? ` <${spec.value}>` : ""}${spec.env ? ` (or ${spec.env} in the environment)` : ""}: ${lowerFirst(spec.description)}`);
    }
  }
  return values;
}

function parseErrorInWords(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? message}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return message.includes("argument missing") ? `option ${option ?? ""} needs a value` : `option ${option ?? ""} takes no value`;
  }
  return message;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** The options part of a command's help: one line per option, every option listed. */
export function optionsHelp(specs: OptionSpecs): string[] {
  const rows = Object.entries({ ...specs, ...GLOBAL_OPTIONS } as OptionSpecs).map(([name, spec]) => {
    const left = `--${name}${spec.value ? ` <${spec.value}>` : ""}`;
    const notes = [spec.required ? "required" : null, spec.env ? `env ${spec.env}` : null, spec.default !== undefined ? `default ${spec.default === "" ? '""' : spec.default}` : null].filter(Boolean);
    return [left, `${spec.description}${notes.length ? ` (${notes.join("; ")})` : ""}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

// ---------------------------------------------------------------- values

/** A string option's value, or undefined. */
export function text(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** A required string option's value (parseOptions has checked it is there). */
export function need(values: OptionValues, name: string): string {
  const value = text(values, name);
  if (value === undefined || value === "") throw usageError(`--${name} is needed`);
  return value;
}

export function address(value: string, name: string): Address {
  if (!isAddress(value, { strict: false })) throw usageError(`--${name} must be a 0x address of 20 bytes, not "${value}"`);
  if (!isAddress(value)) throw usageError(`--${name} "${value}" has mixed case that is not a valid checksum: check it for a typo, or write it all in lowercase`);
  return getAddress(value);
}

/** A whole number from `min`, as a bigint. */
export function uint(value: string, name: string, options: { min?: bigint; max?: bigint } = {}): bigint {
  if (!/^[0-9]+$/.test(value)) throw usageError(`--${name} must be a whole number, not "${value}"`);
  const n = BigInt(value);
  if (options.min !== undefined && n < options.min) throw usageError(`--${name} must be at least ${options.min}, not ${value}`);
  if (options.max !== undefined && n > options.max) throw usageError(`--${name} must be at most ${options.max}, not ${value}`);
  return n;
}

/** An amount of the chain's currency in ether, e.g. "0.01", as wei. */
export function ether(value: string, name: string): bigint {
  if (!/^[0-9]+(\.[0-9]{1,18})?$/.test(value)) throw usageError(`--${name} must be an amount in ETH such as 0.01, not "${value}"`);
  return parseEther(value);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400, y: 365 * 86_400 };
const UINT32_MAX = 2 ** 32 - 1;

/** A duration such as "30d", "12h", "90m", "1y" or plain seconds, in seconds; "0" or "never": never expires. */
export function duration(value: string, name: string): number {
  if (value === "never") return 0;
  const match = /^([0-9]+)([smhdwy]?)$/.exec(value);
  if (match === null) throw usageError(`--${name} must be a duration such as 30d, 12h, 90m, 1y or seconds, not "${value}"`);
  const seconds = Number(match[1]) * DURATION_UNITS[match[2] || "s"]!;
  if (!Number.isSafeInteger(seconds) || seconds > UINT32_MAX) throw usageError(`--${name} ${value} is longer than the collection can store (about 136 years)`);
  return seconds;
}

/** A duration in words: 2592000 → "30 days". */
export function durationInWords(seconds: number): string {
  if (seconds === 0) return "never expires";
  for (const [unit, size] of [["year", DURATION_UNITS.y!], ["week", DURATION_UNITS.w!], ["day", DURATION_UNITS.d!], ["hour", DURATION_UNITS.h!], ["minute", DURATION_UNITS.m!]] as const) {
    if (seconds % size === 0) return `${seconds / size} ${unit}${seconds / size === 1 ? "" : "s"}`;
  }
  return `${seconds} seconds`;
}

/** An http(s) URL without a trailing slash. */
export function baseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`--${name} must be a URL such as http://127.0.0.1:8787, not "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw usageError(`--${name} must be an http or https URL, not "${value}"`);
  return value.replace(/\/+$/, "");
}
