/**
 * Creates a brand and an API key in the API's database and prints the key (shown only once).
 *
 *   npm run brand:create -- "Acme Coffee"                 # new brand + key
 *   npm run brand:create -- --brand brand_1234 --label till-2   # another key for an existing brand
 *
 * Uses DATABASE_URL like the server (default sqlite:.stampbook/stampbook.db).
 */
import { parseArgs } from "node:util";
import { createBrand, issueApiKey } from "../server/admin/brands.ts";
import { loadConfig } from "../server/config.ts";
import { openStore } from "../server/plugins/storage.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { brand: { type: "string" }, label: { type: "string", default: "default" } } });
const config = loadConfig();
const store = openStore(config.databaseUrl);
try {
  let brand;
  if (values.brand !== undefined) {
    brand = await store.getBrand(values.brand);
    if (brand === null) throw new Error(`no brand ${values.brand}`);
  } else {
    const name = positionals.join(" ").trim();
    if (name === "") throw new Error('give the brand a name: npm run brand:create -- "Acme Coffee"');
    brand = await createBrand(store, name);
  }
  const { key } = await issueApiKey(store, brand.id, values.label);
  console.log(JSON.stringify({ brandId: brand.id, name: brand.name, apiKey: key }, null, 2));
  console.error("Keep the API key now: only its hash is stored.");
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await store.close();
}
