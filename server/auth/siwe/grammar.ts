// Lexical rules of the EIP-4361 ABNF, field by field. Shared by the parser (which reads a signed
// text) and the formatter (which must never produce a text the parser would refuse).
// https://eips.ethereum.org/EIPS/eip-4361#message-format, RFC 3986 section 3 and appendix A.

const HEXDIG = "[0-9A-Fa-f]";
const PCT_ENCODED = `%${HEXDIG}{2}`;
// unreserved + sub-delims, without ":" and "@", which each production adds where it allows them.
const UNRESERVED_SUB = "A-Za-z0-9\\-._~!$&'()*+,;=";
const PCHAR = `(?:[${UNRESERVED_SUB}:@]|${PCT_ENCODED})`;

const SCHEME = "[A-Za-z][A-Za-z0-9+\\-.]*";
const USERINFO = `(?:[${UNRESERVED_SUB}:]|${PCT_ENCODED})*`;
const REG_NAME = `(?:[${UNRESERVED_SUB}]|${PCT_ENCODED})*`;

const H16 = `${HEXDIG}{1,4}`;
const DEC_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4 = `${DEC_OCTET}\\.${DEC_OCTET}\\.${DEC_OCTET}\\.${DEC_OCTET}`;
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
const IPV6 = [
  `(?:${H16}:){6}${LS32}`,
  `::(?:${H16}:){5}${LS32}`,
  `(?:${H16})?::(?:${H16}:){4}${LS32}`,
  `(?:(?:${H16}:){0,1}${H16})?::(?:${H16}:){3}${LS32}`,
  `(?:(?:${H16}:){0,2}${H16})?::(?:${H16}:){2}${LS32}`,
  `(?:(?:${H16}:){0,3}${H16})?::${H16}:${LS32}`,
  `(?:(?:${H16}:){0,4}${H16})?::${LS32}`,
  `(?:(?:${H16}:){0,5}${H16})?::${H16}`,
  `(?:(?:${H16}:){0,6}${H16})?::`,
].join("|");
const IPV_FUTURE = `[vV]${HEXDIG}+\\.[${UNRESERVED_SUB}:]+`;
const IP_LITERAL = `\\[(?:${IPV6}|${IPV_FUTURE})\\]`;
// reg-name also covers dotted IPv4 text, so IPv4address needs no branch of its own here.
const HOST = `(?:${IP_LITERAL}|${REG_NAME})`;
const AUTHORITY = `(?:${USERINFO}@)?${HOST}(?::[0-9]*)?`;

const PATH_ABEMPTY = `(?:/${PCHAR}*)*`;
const PATH_ABSOLUTE = `/(?:${PCHAR}+(?:/${PCHAR}*)*)?`;
const PATH_ROOTLESS = `${PCHAR}+(?:/${PCHAR}*)*`;
const HIER_PART = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${PATH_ROOTLESS}|)`;
const QUERY_OR_FRAGMENT = `(?:${PCHAR}|[/?])*`;
const URI = `${SCHEME}:${HIER_PART}(?:\\?${QUERY_OR_FRAGMENT})?(?:#${QUERY_OR_FRAGMENT})?`;

const uriPattern = new RegExp(`^${URI}$`);
const authorityPattern = new RegExp(`^(?:${USERINFO}@)?(${HOST})(?::[0-9]*)?$`);
const schemePattern = new RegExp(`^${SCHEME}$`);
const requestIdPattern = new RegExp(`^${PCHAR}*$`);
// statement = *( reserved / unreserved / " " ): printable ASCII minus " % < > \ ^ ` { | }
const statementPattern = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;= ]*$/;
const noncePattern = /^[A-Za-z0-9]{8,}$/;
const chainIdPattern = /^[0-9]+$/;
const addressPattern = /^0x[0-9a-fA-F]{40}$/;

/** RFC 3986 `URI` (absolute, with scheme; query and fragment allowed). */
export function isUri(value: string): boolean {
  return uriPattern.test(value);
}

/** RFC 3986 `authority` with a non-empty host: what EIP-4361 calls the domain. */
export function isAuthority(value: string): boolean {
  const match = authorityPattern.exec(value);
  return match !== null && match[1] !== "";
}

export function isScheme(value: string): boolean {
  return schemePattern.test(value);
}

/** One line of text, possibly empty. */
export function isStatement(value: string): boolean {
  return statementPattern.test(value);
}

export function isNonce(value: string): boolean {
  return noncePattern.test(value);
}

export function isRequestId(value: string): boolean {
  return requestIdPattern.test(value);
}

export function isChainIdText(value: string): boolean {
  return chainIdPattern.test(value) && Number.isSafeInteger(Number(value));
}

export function isAddressText(value: string): boolean {
  return addressPattern.test(value);
}
