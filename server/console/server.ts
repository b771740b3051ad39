/**
 * Serves the brand console: its HTML and CSS, the console's and the till's scripts bundled for
 * browsers with esbuild, and `config.json` telling the pages where the API and the chain are. The
 * pages talk to the API over CORS with credentials, so the API must list this server's origin in
 * CORS_ORIGINS (`npm start` does).
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { build } from "esbuild";
import type { ConsoleConfig } from "./config.ts";

export type { ConsoleConfig } from "./config.ts";

const here = new URL("./", import.meta.url);

export async function startConsole(options: { host: string; port: number; config: ConsoleConfig }) {
  const bundle = await build({
    entryPoints: { app: new URL("main.ts", here).pathname, till: new URL("till.ts", here).pathname },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    outdir: "/bundle",
    logLevel: "silent",
  });
  const script = (name: string) => bundle.outputFiles.find((f) => f.path === `/bundle/${name}.js`)!.contents;
  const html = async (file: string) => ({ type: "text/html; charset=utf-8", body: await readFile(new URL(file, here), "utf8") });
  const files: Record<string, { type: string; body: string | Uint8Array }> = {
    "/": await html("index.html"),
    "/till": await html("till.html"),
    "/styles.css": { type: "text/css; charset=utf-8", body: await readFile(new URL("styles.css", here), "utf8") },
    "/app.js": { type: "text/javascript; charset=utf-8", body: script("app") },
    "/till.js": { type: "text/javascript; charset=utf-8", body: script("till") },
    "/config.json": { type: "application/json", body: JSON.stringify(options.config) },
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    const file = files[path === "/till/" ? "/till" : path];
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
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
