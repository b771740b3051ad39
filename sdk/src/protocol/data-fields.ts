/**
 * The fields of a member's profile a brand may ask for, in the one order they are always listed in
 * (requests, grants, statements, what a brand reads). Pure: the SDK bundles it.
 */
export const DATA_FIELDS = ["email", "name", "birthday", "city", "preferences"] as const;
export type DataField = (typeof DATA_FIELDS)[number];

/** `fields` deduplicated and in {@link DATA_FIELDS} order. */
export function canonicalFields(fields: readonly DataField[]): DataField[] {
  return DATA_FIELDS.filter((field) => fields.includes(field));
}
