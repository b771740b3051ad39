/**
 * Creates a brand on the running deployment, through its operator API, and prints its API key (shown
 * only once). It reaches the store the server actually serves, whatever database that is.
 *
 *   npm run brand:create -- "Acme Coffee"                        # a new brand and its first key
 *   npm run brand:create -- --brand brand_1234 --label till-2    # another key for an existing brand
 *
 * Where the API is and the operator's credential: STAMPBOOK_API_URL and OPERATOR_TOKEN, or else the
 * manifest of a running `npm start` (MANIFEST_PATH, default .stampbook/demo.json), which carries both.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { brand: { type: "string" }, label: { type: "string", default: "default" } } });

async function target(): Promise<{ apiUrl: string; token: string; from: string }> {
  const { STAMPBOOK_API_URL: apiUrl, OPERATOR_TOKEN: token } = process.env;
  if (apiUrl && token) return { apiUrl, token, from: "STAMPBOOK_API_URL and OPERATOR_TOKEN" };
  const manifestPath = resolve(process.env.MANIFEST_PATH ?? ".stampbook/demo.json");
  let manifest: { apiUrl?: string; operatorToken?: string };
  try {
    manifest = JSON.parse(await readFile(manifestPath, "utf8"));
  } catch {
    throw new Error(`Say which deployment: set STAMPBOOK_API_URL and OPERATOR_TOKEN, or run \`npm start\` first (its manifest ${manifestPath} names the API and the operator token).`);
  }
  if (!manifest.apiUrl || !manifest.operatorToken) throw new Error(`${manifestPath} names no API or operator token: set STAMPBOOK_API_URL and OPERATOR_TOKEN.`);
  return { apiUrl: apiUrl ?? manifest.apiUrl, token: token ?? manifest.operatorToken, from: manifestPath };
}

async function call(apiUrl: string, token: string, path: string, body: unknown): Promise<any> {
  let response: Response;
  try {
    response = await fetch(new URL(path, apiUrl), { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    throw new Error(`The API at ${apiUrl} does not answer: is the server running?`);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${answer.title ?? `HTTP ${response.status}`}${answer.detail ? `: ${answer.detail}` : ""}`);
  return answer;
}

try {
  const { apiUrl, token, from } = await target();
  let result: { brandId: string; name?: string; apiKey: string };
  if (values.brand !== undefined) {
    const key = await call(apiUrl, token, `/v1/operator/brands/${encodeURIComponent(values.brand)}/keys`, { label: values.label });
    result = { brandId: key.brandId, apiKey: key.apiKey };
  } else {
    const name = positionals.join(" ").trim();
    if (name === "") throw new Error('Give the brand a name: npm run brand:create -- "Acme Coffee"');
    const created = await call(apiUrl, token, "/v1/operator/brands", { name, keyLabel: values.label });
    result = { brandId: created.brand.id, name: created.brand.name, apiKey: created.key.apiKey };
  }
  console.log(JSON.stringify({ ...result, apiUrl }, null, 2));
  console.error(`Created on ${apiUrl} (found through ${from}). Keep the API key now: only its hash is stored.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
