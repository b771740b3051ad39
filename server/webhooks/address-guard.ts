/**
 * Where a brand's webhooks may go: an endpoint URL is someone else's server, never ours. A URL that
 * names (or resolves to) a loopback, private, link-local, cloud metadata or otherwise non-public
 * address would let a brand make the API call into its own network, so those are refused unless
 * `allowPrivate` (local development and tests).
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type WebhookUrlRefusal = "invalid_url" | "too_long" | "insecure" | "credentials" | "fragment" | "private_address";

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; code: WebhookUrlRefusal; reason: string };

export type WebhookUrlOptions = { allowPrivate: boolean; allowHttp: boolean };

// Special-purpose ranges (IANA registries, RFC 6890 and successors) nobody's public server sits in.
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, with the cloud metadata service at 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, up to the broadcast address 255.255.255.255
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local, with AWS's metadata service at fd00:ec2::254
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96], // NAT64: a translator would carry the request to any IPv4 address, private ones too
  ["64:ff9b:1::", 48],
  ["100::", 64], // discard-only
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");

/**
 * Whether `ip` (a literal IPv4 or IPv6 address) is one a public server can have. An IPv4-mapped or
 * IPv4-compatible IPv6 address is judged by the IPv4 address inside it; anything that is not an
 * address, or carries a zone (`%eth0`, link-local by nature), is not public.
 */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return !NOT_PUBLIC.check(ip, "ipv4");
  if (!isIPv6(ip) || ip.includes("%")) return false;
  const inside = embeddedIPv4(ip);
  if (inside !== null) return !NOT_PUBLIC.check(inside, "ipv4");
  return !NOT_PUBLIC.check(ip, "ipv6");
}

/**
 * Whether `url` is fit to be a webhook endpoint, checked when a brand saves it. A host name is
 * judged again, by the addresses it resolves to, on every delivery attempt (see deliver.ts).
 */
export function checkWebhookUrl(input: string, options: WebhookUrlOptions): WebhookUrlCheck {
  if (input.length > MAX_WEBHOOK_URL_LENGTH) return refuse("too_long", `A webhook URL is at most ${MAX_WEBHOOK_URL_LENGTH} characters; this one has ${input.length}.`);
  const url = URL.parse(input.trim());
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") return refuse("invalid_url", "Give the endpoint as a full address, like https://hooks.your-shop.example/stampbook.");
  if (url.protocol === "http:" && !options.allowHttp) return refuse("insecure", `Webhooks are sent over https only: use https://${url.host}${url.pathname}.`);
  if (url.username !== "" || url.password !== "") return refuse("credentials", "A webhook URL carries no user name or password: every message is signed, verify the signature instead.");
  if (input.includes("#")) return refuse("fragment", "A webhook URL has no #fragment: it is never sent to the server.");
  if (!options.allowPrivate) {
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    if ((isIPv4(host) || isIPv6(host)) && !isPublicAddress(host)) return refuse("private_address", `${host} is a private, loopback or reserved address: webhooks go to public servers only.`);
    // Names that are this machine by definition (RFC 6761), whatever a resolver says.
    if (host === "localhost" || host.endsWith(".localhost")) return refuse("private_address", `${host} is this machine: webhooks go to public servers only.`);
  }
  return { ok: true, url };
}

function refuse(code: WebhookUrlRefusal, reason: string): WebhookUrlCheck {
  return { ok: false, code, reason };
}

/** The IPv4 address in ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated) or ::a.b.c.d (compatible), else null. */
function embeddedIPv4(ip: string): string | null {
  const groups = hextets(ip);
  const zeros = (count: number) => groups.slice(0, count).every((group) => group === 0);
  const mapped = zeros(5) && groups[5] === 0xffff;
  const translated = zeros(4) && groups[4] === 0xffff && groups[5] === 0;
  // :: and ::1 are IPv6's own unspecified and loopback addresses, judged as such.
  const compatible = zeros(6) && (groups[6] !== 0 || groups[7]! > 1);
  if (!mapped && !translated && !compatible) return null;
  return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
}

/** A valid IPv6 address as its eight 16-bit groups. */
function hextets(ip: string): number[] {
  let text = ip.toLowerCase();
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    const [a, b, c, d] = text.slice(lastColon + 1).split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
