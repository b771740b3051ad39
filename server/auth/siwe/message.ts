import type { Address } from "viem";
import { checksumAddress } from "./keccak.ts";
import { SiweError } from "./errors.ts";
import {
  isAddressText,
  isAuthority,
  isChainIdText,
  isNonce,
  isRequestId,
  isScheme,
  isStatement,
  isUri,
} from "./grammar.ts";
import { parseTimestamp } from "./time.ts";

/** The fields of an EIP-4361 message. Optional fields are absent (not `undefined`) when the text lacks them. */
export interface SiweMessage {
  /** Scheme written before the domain ("https://example.com wants you…"), if any. */
  scheme?: string;
  /** RFC 3986 authority that asks for the sign-in, port included. */
  domain: string;
  /** EIP-55 checksummed. */
  address: Address;
  statement?: string;
  uri: string;
  version: "1";
  chainId: number;
  nonce: string;
  /** Timestamps are kept as written (RFC 3339), since the signature covers the exact text. */
  issuedAt: string;
  expirationTime?: string;
  notBefore?: string;
  requestId?: string;
  resources?: string[];
}

export const HEADER_SUFFIX = " wants you to sign in with your Ethereum account:";

const schemePrefix = /^([^:/]+):\/\//;

function malformed(line: number, what: string): SiweError {
  return new SiweError("siwe_malformed", `invalid SIWE message, line ${line}: ${what}`);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * Parses a Sign-In with Ethereum message strictly against the EIP-4361 ABNF: fields in order, LF
 * line breaks, no trailing text, EIP-55 address, real calendar timestamps.
 *
 * @throws {SiweError} `siwe_malformed`, naming the line and what was wrong with it.
 * @example
 * const msg = parseSiweMessage(body.message);
 * msg.address; // "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
 */
export function parseSiweMessage(text: string): SiweMessage {
  if (typeof text !== "string") throw new SiweError("siwe_malformed", "invalid SIWE message: not a string");
  if (text.includes("\r")) {
    throw new SiweError("siwe_malformed", "invalid SIWE message: lines must end with LF, not CRLF");
  }
  const lines = text.split("\n");
  // i indexes the next line to read, so once a field is read, i is that field's 1-based line number.
  let i = 0;
  const lineNo = () => i + 1;
  const next = (): string | undefined => lines[i];

  // Header: [ scheme "://" ] domain " wants you to sign in with your Ethereum account:"
  const header = lines[0] ?? "";
  if (!header.endsWith(HEADER_SUFFIX)) {
    throw malformed(1, `expected "<domain>${HEADER_SUFFIX}", found ${quote(header)}`);
  }
  let authority = header.slice(0, -HEADER_SUFFIX.length);
  let scheme: string | undefined;
  const schemeMatch = schemePrefix.exec(authority);
  if (schemeMatch !== null) {
    scheme = schemeMatch[1] ?? "";
    if (!isScheme(scheme)) throw malformed(1, `invalid scheme ${quote(scheme)}`);
    authority = authority.slice(schemeMatch[0].length);
  }
  if (authority === "") throw malformed(1, "domain is missing");
  if (!isAuthority(authority)) throw malformed(1, `domain ${quote(authority)} is not an RFC 3986 authority`);
  i = 1;

  const address = next() ?? "";
  if (!isAddressText(address)) throw malformed(lineNo(), `expected an address (0x + 40 hex digits), found ${quote(address)}`);
  const checksummed = checksumAddress(address as Address);
  if (address !== checksummed) {
    throw malformed(lineNo(), `address ${address} is not EIP-55 checksummed (expected ${checksummed})`);
  }
  i += 1;

  if (next() !== "") throw malformed(lineNo(), "expected an empty line after the address");
  i += 1;
  let statement: string | undefined;
  const statementLine = next();
  if (statementLine === undefined) throw malformed(lineNo(), "message ended before the URI field");
  // Address, empty line, then: an empty line means no statement; two mean an empty one (the ABNF allows it).
  if (statementLine !== "" || lines[i + 1] === "") {
    statement = statementLine;
    if (!isStatement(statement)) {
      throw malformed(lineNo(), `statement ${quote(statement)} has characters EIP-4361 does not allow`);
    }
    i += 1;
    if (next() !== "") throw malformed(lineNo(), "statement must be a single line followed by an empty line");
  }
  i += 1;

  const field = (label: string, what: string): string => {
    const line = next();
    if (line === undefined) throw malformed(lineNo(), `"${label}" is missing (message ended)`);
    if (!line.startsWith(label)) throw malformed(lineNo(), `expected "${label}<${what}>", found ${quote(line)}`);
    i += 1;
    return line.slice(label.length);
  };
  const optional = (label: string): string | undefined => {
    const line = next();
    if (line === undefined || !line.startsWith(label)) return undefined;
    i += 1;
    return line.slice(label.length);
  };
  const timestamp = (value: string, name: string): string => {
    if (parseTimestamp(value) === null) {
      throw malformed(i, `${name} ${quote(value)} is not an RFC 3339 date-time`);
    }
    return value;
  };

  const uri = field("URI: ", "uri");
  if (!isUri(uri)) throw malformed(i, `URI ${quote(uri)} is not an RFC 3986 URI`);
  const version = field("Version: ", "version");
  if (version !== "1") throw malformed(i, `version must be "1", found ${quote(version)}`);
  const chainIdText = field("Chain ID: ", "chain id");
  if (!isChainIdText(chainIdText)) throw malformed(i, `chain ID ${quote(chainIdText)} is not a decimal integer`);
  const nonce = field("Nonce: ", "nonce");
  if (!isNonce(nonce)) throw malformed(i, `nonce ${quote(nonce)} must be at least 8 letters or digits`);
  const issuedAt = timestamp(field("Issued At: ", "date-time"), "Issued At");

  const message: SiweMessage = {
    domain: authority,
    address: checksummed,
    uri,
    version: "1",
    chainId: Number(chainIdText),
    nonce,
    issuedAt,
  };
  if (scheme !== undefined) message.scheme = scheme;
  if (statement !== undefined) message.statement = statement;

  const expirationTime = optional("Expiration Time: ");
  if (expirationTime !== undefined) message.expirationTime = timestamp(expirationTime, "Expiration Time");
  const notBefore = optional("Not Before: ");
  if (notBefore !== undefined) message.notBefore = timestamp(notBefore, "Not Before");
  const requestId = optional("Request ID: ");
  if (requestId !== undefined) {
    if (!isRequestId(requestId)) throw malformed(i, `Request ID ${quote(requestId)} has characters outside RFC 3986 pchar`);
    message.requestId = requestId;
  }
  if (next() === "Resources:") {
    i += 1;
    const resources: string[] = [];
    for (let line = next(); line?.startsWith("- "); line = next()) {
      const resource = line.slice(2);
      if (!isUri(resource)) throw malformed(lineNo(), `resource ${quote(resource)} is not an RFC 3986 URI`);
      resources.push(resource);
      i += 1;
    }
    message.resources = resources;
  }

  const rest = next();
  if (rest === "" && i === lines.length - 1) throw malformed(lineNo(), "unexpected line break at the end");
  if (rest !== undefined) {
    throw malformed(lineNo(), `unexpected ${quote(rest)} (fields out of order, unknown, or after the end)`);
  }
  return message;
}
