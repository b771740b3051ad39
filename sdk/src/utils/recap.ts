/**
 * ERC-5573 ReCaps as Stampbook consents use them, built and read here so the SDK never signs a grant
 * it has not put together itself. A grant is one resource `stampbook:<brandId>` with one ability
 * `data/grant` qualified by one object `{ expires, fields, purpose, request }`:
 *
 *   {"att":{"stampbook:<brandId>":{"data/grant":[{"expires":"…","fields":[…],"purpose":"…","request":"…"}]}}}
 *
 * Its URI is `urn:recap:` + unpadded base64url of that JSON with every object's keys sorted
 * (`Array.prototype.sort`), arrays in order, no whitespace. The statement the member reads is the
 * grant in words, one space, and the ReCap statement (the spec's translation of the details object).
 * Browser-safe: TextEncoder/TextDecoder and btoa/atob, never Node's Buffer API.
 */
import type { DataField } from "../protocol/data-fields.ts";

/** The fields a brand may ask for, in the one order they are always listed in. */
export const DATA_FIELDS: readonly DataField[] = ["email", "name", "birthday", "city", "preferences"];

export const RECAP_PREFIX = "urn:recap:";
export const RECAP_PREAMBLE = "I further authorize the stated URI to perform the following actions on my behalf:";
const ABILITY = "data/grant";
const RESOURCE_PREFIX = "stampbook:";

/** What a member grants a brand, as the ReCap carries it. */
export type DataGrant = { brandId: string; request: string; fields: DataField[]; purpose: string; expires: string };

type RecapDetails = { att: Record<string, Record<string, unknown>>; prf?: unknown };

/** The JSON text of a value with every object's keys sorted, arrays kept in order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
      .join(",")}}`;
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

function detailsOf(grant: DataGrant): RecapDetails {
  return { att: { [RESOURCE_PREFIX + grant.brandId]: { [ABILITY]: [{ expires: grant.expires, fields: grant.fields, purpose: grant.purpose, request: grant.request }] } } };
}

/** The ReCap URI of a grant, byte for byte as the server builds it. */
export function grantRecapUri(grant: DataGrant): string {
  return RECAP_PREFIX + base64url(canonicalJson(detailsOf(grant)));
}

/** The statement the member signs for a grant: what is shared and why, then the ReCap statement. */
export function grantStatement(grant: Pick<DataGrant, "brandId" | "fields" | "purpose">): string {
  return `Share my ${grant.fields.join(", ")} (purpose: ${grant.purpose}). ${RECAP_PREAMBLE} (1) 'data': 'grant' for '${RESOURCE_PREFIX}${grant.brandId}'.`;
}

/**
 * The grant a ReCap URI carries, or null unless it is exactly one Stampbook data grant in canonical
 * form: one `stampbook:` resource, one `data/grant` ability, one qualification with exactly the keys
 * `expires`, `fields` (known fields, each once, in the canonical order), `purpose` and `request`.
 */
export function readGrantRecap(uri: string): DataGrant | null {
  if (!uri.startsWith(RECAP_PREFIX)) return null;
  const payload = uri.slice(RECAP_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) return null;
  let details: RecapDetails;
  try {
    details = JSON.parse(fromBase64url(payload)) as RecapDetails;
  } catch {
    return null;
  }
  if (!isRecord(details) || !isRecord(details.att) || details.prf !== undefined) return null;
  const resources = Object.entries(details.att);
  if (resources.length !== 1) return null;
  const [resource, abilities] = resources[0]!;
  if (!resource.startsWith(RESOURCE_PREFIX) || !isRecord(abilities)) return null;
  if (Object.keys(abilities).join() !== ABILITY) return null;
  const notes = abilities[ABILITY];
  if (!Array.isArray(notes) || notes.length !== 1 || !isRecord(notes[0])) return null;
  const note = notes[0];
  if (Object.keys(note).sort().join() !== "expires,fields,purpose,request") return null;
  const { expires, fields, purpose, request } = note;
  if (typeof expires !== "string" || typeof purpose !== "string" || typeof request !== "string" || !Array.isArray(fields)) return null;
  if (fields.length === 0 || DATA_FIELDS.filter((f) => fields.includes(f)).join() !== fields.join()) return null;
  const grant: DataGrant = { brandId: resource.slice(RESOURCE_PREFIX.length), request, fields: fields as DataField[], purpose, expires };
  // Canonical form only: what the server would have built for this grant, nothing else.
  return grantRecapUri(grant) === uri ? grant : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
