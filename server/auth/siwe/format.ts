import type { Address } from "viem";
import { checksumAddress } from "./keccak.ts";
import { SiweError } from "./errors.ts";
import {
  isAddressText,
  isAuthority,
  isNonce,
  isRequestId,
  isScheme,
  isStatement,
  isUri,
} from "./grammar.ts";
import { HEADER_SUFFIX, type SiweMessage } from "./message.ts";
import { parseTimestamp } from "./time.ts";

function invalid(field: string, why: string): SiweError {
  return new SiweError("siwe_malformed", `cannot build SIWE message: ${field} ${why}`);
}

function text(fields: Record<string, unknown>, name: string, isValid: (v: string) => boolean, rule: string): string {
  const value = fields[name];
  if (value === undefined || value === null) throw invalid(name, "is missing");
  if (typeof value !== "string" || !isValid(value)) throw invalid(name, `${JSON.stringify(value)} ${rule}`);
  return value;
}

function optionalText(
  fields: Record<string, unknown>,
  name: string,
  isValid: (v: string) => boolean,
  rule: string,
): string | undefined {
  return fields[name] === undefined || fields[name] === null ? undefined : text(fields, name, isValid, rule);
}

const isTimestamp = (v: string) => parseTimestamp(v) !== null;
const isChecksummed = (v: string) => isAddressText(v) && checksumAddress(v as Address) === v;

/**
 * Writes the EIP-4361 text for a set of fields, exactly as given (timestamps are not reformatted).
 * Every field is checked against the same rules as {@link parseSiweMessage}, so the result always
 * parses back to the same fields, and a field cannot smuggle in extra lines.
 *
 * @throws {SiweError} `siwe_malformed` naming the missing or invalid field.
 * @example
 * formatSiweMessage({ domain: "localhost:8787", address, uri: "http://localhost:8787",
 *   version: "1", chainId: 31337, nonce, issuedAt: new Date().toISOString() });
 */
export function formatSiweMessage(fields: SiweMessage): string {
  // Checked at run time too: callers often build these from untyped JSON.
  const f = fields as unknown as Record<string, unknown>;
  const scheme = optionalText(f, "scheme", isScheme, "is not an RFC 3986 scheme");
  const domain = text(f, "domain", isAuthority, "is not an RFC 3986 authority");
  const address = text(f, "address", isChecksummed, "is not an EIP-55 checksummed address");
  const statement = optionalText(f, "statement", isStatement, "must be one line of RFC 3986 reserved/unreserved characters");
  const uri = text(f, "uri", isUri, "is not an RFC 3986 URI");
  const version = text(f, "version", (v) => v === "1", 'must be "1"');
  if (f.chainId === undefined || f.chainId === null) throw invalid("chainId", "is missing");
  if (typeof f.chainId !== "number" || !Number.isSafeInteger(f.chainId) || f.chainId < 0) {
    throw invalid("chainId", `${JSON.stringify(f.chainId)} is not a non-negative integer`);
  }
  const nonce = text(f, "nonce", isNonce, "must be at least 8 letters or digits");
  const issuedAt = text(f, "issuedAt", isTimestamp, "is not an RFC 3339 date-time");
  const expirationTime = optionalText(f, "expirationTime", isTimestamp, "is not an RFC 3339 date-time");
  const notBefore = optionalText(f, "notBefore", isTimestamp, "is not an RFC 3339 date-time");
  const requestId = optionalText(f, "requestId", isRequestId, "has characters outside RFC 3986 pchar");
  let resources: string[] | undefined;
  if (f.resources !== undefined && f.resources !== null) {
    if (!Array.isArray(f.resources)) throw invalid("resources", "must be an array of URIs");
    resources = f.resources.map((r: unknown, n) => {
      if (typeof r !== "string" || !isUri(r)) throw invalid(`resources[${n}]`, `${JSON.stringify(r)} is not an RFC 3986 URI`);
      return r;
    });
  }

  const lines = [`${scheme === undefined ? "" : `${scheme}://`}${domain}${HEADER_SUFFIX}`, address, ""];
  if (statement !== undefined) lines.push(statement);
  lines.push(
    "",
    `URI: ${uri}`,
    `Version: ${version}`,
    `Chain ID: ${f.chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${issuedAt}`,
  );
  if (expirationTime !== undefined) lines.push(`Expiration Time: ${expirationTime}`);
  if (notBefore !== undefined) lines.push(`Not Before: ${notBefore}`);
  if (requestId !== undefined) lines.push(`Request ID: ${requestId}`);
  if (resources !== undefined) lines.push("Resources:", ...resources.map((r) => `- ${r}`));
  return lines.join("\n");
}
