import type { Client } from "../types/client.ts";

/**
 * The brand a listing asks for: the one the action names, none when it says `null` (every brand's),
 * else the client's own.
 */
export function listingBrand(client: Client, brand: string | null | undefined): string | undefined {
  return brand === undefined ? client.brand : (brand ?? undefined);
}
