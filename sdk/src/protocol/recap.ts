/**
 * ERC-5573 ReCaps (Sign-In with Ethereum Capabilities), the part Stampbook uses: a ReCap Details
 * Object `{ "att": { <resource URI>: { "<namespace>/<ability>": [ <nota bene objects> ] } } }`, its
 * URI (`urn:recap:` + unpadded base64url of the JSON, every object's keys sorted as JavaScript's
 * `Array.prototype.sort` sorts them) and the statement the spec's ReCap Translation Algorithm derives
 * from it, which the signer sees appended to the SIWE statement:
 *
 *   I further authorize the stated URI to perform the following actions on my behalf: (1) 'data':
 *   'grant' for 'stampbook:<brandId>'.
 *
 * A Stampbook grant is one resource `stampbook:<brandId>` with one ability `data/grant` qualified by
 * one object: `{ "expires", "fields", "purpose", "request" }` (keys in the spec's order).
 *
 * The one codec of the API and its clients: the server builds and checks consents with it, the SDK
 * builds what the member signs and reads receipts with it. Browser-safe (TextEncoder/TextDecoder and
 * btoa/atob, never Node's Buffer), so the SDK bundles it.
 */
import { DATA_FIELDS, type DataField } from "./data-fields.ts";

export type RecapDetails = { att: Record<string, Record<string, Record<string, unknown>[]>>; prf?: string[] };

export const RECAP_PREFIX = "urn:recap:";
export const RECAP_PREAMBLE = "I further authorize the stated URI to perform the following actions on my behalf:";

/** The JSON text of a value with every object's keys sorted (the spec's ordering), arrays kept in order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function base64url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(payload: string): string {
  const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function encodeRecap(details: RecapDetails): string {
  return RECAP_PREFIX + base64url(canonicalJson(details));
}

/** The details object of a ReCap URI, or null when it is not one (bad prefix, encoding or JSON). */
export function decodeRecap(uri: string): RecapDetails | null {
  if (!uri.startsWith(RECAP_PREFIX)) return null;
  const payload = uri.slice(RECAP_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) return null;
  try {
    const value: unknown = JSON.parse(fromBase64url(payload));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    const att = (value as { att?: unknown }).att;
    if (typeof att !== "object" || att === null || Array.isArray(att)) return null;
    return value as RecapDetails;
  } catch {
    return null;
  }
}

/** The ReCap Translation Algorithm: the statement a details object stands for. */
export function recapStatement(details: RecapDetails): string {
  const entries: string[] = [];
  for (const [resource, abilities] of Object.entries(details.att)) {
    // Grouped by namespace in the order the (sorted) ability keys come.
    const byNamespace = new Map<string, string[]>();
    for (const ability of Object.keys(abilities)) {
      const slash = ability.indexOf("/");
      const namespace = ability.slice(0, slash);
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), ability.slice(slash + 1)]);
    }
    for (const [namespace, names] of byNamespace) {
      entries.push(`(${entries.length + 1}) '${namespace}': ${names.map((name) => `'${name}'`).join(", ")} for '${resource}'.`);
    }
  }
  return `${RECAP_PREAMBLE} ${entries.join(" ")}`;
}

/** The statement to sign: the SIWE statement (if any), one space, the ReCap statement. */
export function withRecapStatement(statement: string | undefined, details: RecapDetails): string {
  return `${statement === undefined || statement === "" ? "" : `${statement} `}${recapStatement(details)}`;
}

/** What a member grants a brand, as the ReCap carries it. */
export type DataGrant = { brandId: string; request: string; fields: DataField[]; purpose: string; expires: string };

export const grantResource = (brandId: string) => `stampbook:${brandId}`;
export const GRANT_ABILITY = "data/grant";

export function grantRecap(grant: DataGrant): RecapDetails {
  return { att: { [grantResource(grant.brandId)]: { [GRANT_ABILITY]: [{ request: grant.request, fields: grant.fields, purpose: grant.purpose, expires: grant.expires }] } } };
}

/**
 * The grant a details object carries, or null unless it is exactly one Stampbook grant: one
 * `stampbook:` resource, one `data/grant` ability, one qualification with exactly the four keys.
 */
export function readGrant(details: RecapDetails): DataGrant | null {
  if (details.prf !== undefined) return null;
  const resources = Object.entries(details.att);
  if (resources.length !== 1) return null;
  const [resource, abilities] = resources[0]!;
  if (!resource.startsWith("stampbook:") || typeof abilities !== "object" || abilities === null) return null;
  const names = Object.keys(abilities);
  if (names.length !== 1 || names[0] !== GRANT_ABILITY) return null;
  const notes = abilities[GRANT_ABILITY];
  if (!Array.isArray(notes) || notes.length !== 1) return null;
  const note = notes[0] as Record<string, unknown>;
  if (typeof note !== "object" || note === null || Object.keys(note).sort().join() !== "expires,fields,purpose,request") return null;
  const { request, fields, purpose, expires } = note;
  if (typeof request !== "string" || typeof purpose !== "string" || typeof expires !== "string") return null;
  if (!Array.isArray(fields) || fields.some((f) => !DATA_FIELDS.includes(f))) return null;
  return { brandId: resource.slice("stampbook:".length), request, fields: fields as DataField[], purpose, expires };
}

/** The ReCap URI of a grant, byte for byte as the server builds it. */
export function grantRecapUri(grant: DataGrant): string {
  return encodeRecap(grantRecap(grant));
}

/**
 * The grant a ReCap URI carries, or null unless it is exactly one Stampbook data grant in canonical
 * form: what {@link readGrant} takes, with its fields known, each once, in the canonical order, and
 * the URI exactly what {@link grantRecapUri} writes for it (sorted keys, no whitespace, unpadded).
 */
export function readGrantRecap(uri: string): DataGrant | null {
  const details = decodeRecap(uri);
  const grant = details === null ? null : readGrant(details);
  if (grant === null || grant.fields.length === 0) return null;
  if (DATA_FIELDS.filter((field) => grant.fields.includes(field)).join() !== grant.fields.join()) return null;
  return grantRecapUri(grant) === uri ? grant : null;
}
