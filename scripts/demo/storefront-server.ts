/**
 * Serves the demo storefront: its HTML and CSS, the page script bundled for browsers with esbuild
 * (it imports only the public SDK), and `config.json` telling the page where the API is.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { build } from "esbuild";

/**
 * What the page needs to know: where the API and the chain are, and whose storefront it is (the page
 * shows that brand's level; null: the first brand the member has a standing with).
 */
export type StorefrontConfig = { apiUrl: string; chainId: number; rpcUrl: string; brandId: string | null; brandName: string };

const here = new URL("./storefront/", import.meta.url);
const sdkEntry = (file: string) => new URL(`../../sdk/src/${file}`, import.meta.url).pathname;

export async function startStorefront(options: { host: string; port: number; config: StorefrontConfig }) {
  const bundle = await build({
    entryPoints: [new URL("main.ts", here).pathname],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    // The page imports the SDK by its package name, as a brand's storefront would.
    alias: { "@stampbook/sdk/embedded": sdkEntry("embedded.ts"), "@stampbook/sdk/receipts": sdkEntry("receipts.ts"), "@stampbook/sdk": sdkEntry("index.ts") },
    logLevel: "silent",
  });
  const files: Record<string, { type: string; body: string | Uint8Array }> = {
    "/": { type: "text/html; charset=utf-8", body: await readFile(new URL("index.html", here), "utf8") },
    "/styles.css": { type: "text/css; charset=utf-8", body: await readFile(new URL("styles.css", here), "utf8") },
    "/app.js": { type: "text/javascript; charset=utf-8", body: bundle.outputFiles[0]!.contents },
    "/config.json": { type: "application/json", body: JSON.stringify(options.config) },
  };

  const server = createServer((request, response) => {
    const file = files[(request.url ?? "/").split("?")[0]!];
    if (request.method !== "GET" || file === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
