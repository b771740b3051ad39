/**
 * The shape of the code, as the README's Architecture section promises it: dependencies between
 * server/ folders run one way (storage at the bottom, app.ts at the top); routes reach the store only
 * through services; app.ts is a list of plugins; the SDK's wire protocol imports nothing of the rest;
 * scripts/ holds no product; the Next.js example uses the SDK as a brand installs it; and a long file
 * says at its top why it is long.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function filesUnder(folder: string, keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, folder))) {
    const path = join(folder, entry);
    // Installed packages and build output (the SDK's dist/, the Next.js example's .next/) are not ours to shape.
    if (entry === "node_modules" || entry === "dist" || entry === ".next") continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

const isSource = (path: string) => path.endsWith(".ts") && !path.endsWith(".test.ts") && !path.endsWith(".contract.ts") && !path.includes("/storage/contract/") && !path.includes(".test-helper.") && !path.endsWith(".d.ts");

/** The relative modules a file imports at run time (`import type` and `export type` are left out). */
function valueImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)["']/gm)) {
    if (match[1] !== undefined) continue;
    found.push(normalize(join(dirname(file), match[2]!)));
  }
  return found;
}

/** A server file's place in the layering: its top folder, or the file itself at server/'s top. */
function unitOf(file: string): string {
  const parts = relative("server", file).split("/");
  return parts.length === 1 ? parts[0]! : `${parts[0]}/`;
}

describe("the architecture", () => {
  const serverFiles = filesUnder("server", isSource);

  it("has no import cycles between server/ folders", () => {
    const edges = new Map<string, Map<string, string>>();
    for (const file of serverFiles) {
      for (const target of valueImports(file)) {
        if (!target.startsWith("server/")) continue;
        const [from, to] = [unitOf(file), unitOf(target)];
        if (from === to) continue;
        if (!edges.has(from)) edges.set(from, new Map());
        edges.get(from)!.set(to, `${file} -> ${target}`);
      }
    }
    const reaches = (start: string, goal: string): boolean => {
      const seen = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const unit = stack.pop()!;
        if (unit === goal) return true;
        if (seen.has(unit)) continue;
        seen.add(unit);
        stack.push(...(edges.get(unit)?.keys() ?? []));
      }
      return false;
    };
    const inCycles = [...edges].flatMap(([from, targets]) => [...targets].filter(([to]) => reaches(to, from)).map(([, example]) => example));
    expect(inCycles).toEqual([]);
  });

  it("lets storage import nothing above it but types", () => {
    const upward = serverFiles
      .filter((file) => file.startsWith("server/storage/"))
      .flatMap((file) => valueImports(file).filter((target) => target.startsWith("server/") && !target.startsWith("server/storage/")).map((target) => `${file} -> ${target}`))
      // The problem type every layer throws is the one exception: storage answers outages with it.
      .filter((edge) => !edge.endsWith("-> server/errors.ts"));
    expect(upward).toEqual([]);
  });

  it("has routes call services, never the store", () => {
    const reaching = serverFiles
      .filter((file) => /routes\.ts$/.test(file))
      .filter((file) => /\bopts\.store\b|\bapp\.store\b|store:\s*(?:Store|[A-Z]\w*Store)\b/.test(readFileSync(join(ROOT, file), "utf8")));
    expect(reaching).toEqual([]);
  });

  it("builds the app as a short list of plugins", () => {
    const app = readFileSync(join(ROOT, "server/app.ts"), "utf8");
    expect(app.split("\n").length).toBeLessThan(150);
    // Features are registered, not assembled here: no factories called in app.ts.
    expect(app.match(/\bcreate[A-Z]\w*\(/g) ?? []).toEqual(["createValidator(", "createValidator(", "createValidator(", "createChainClient("]);
  });

  it("keeps the SDK's wire protocol free of the rest of the repository", () => {
    const protocol = filesUnder("sdk/src", isSource).filter((file) => file.startsWith("sdk/src/protocol/"));
    const outside = protocol.flatMap((file) => valueImports(file).filter((target) => !target.startsWith("sdk/src/protocol/")).map((target) => `${file} -> ${target}`));
    expect(outside).toEqual([]);
  });

  it("keeps products out of scripts/ (deploy, seed, demo, bench and the start command only)", () => {
    const folders = readdirSync(join(ROOT, "scripts")).filter((entry) => statSync(join(ROOT, "scripts", entry)).isDirectory());
    expect(folders.sort()).toEqual(["bench", "demo", "ignition"]);
  });

  it("has the Next.js example import the SDK by its package name only, as a brand's app does", () => {
    const example = filesUnder("sdk/examples/next", (path) => /\.tsx?$/.test(path) && !path.endsWith(".d.ts"));
    expect(example.length).toBeGreaterThan(5);
    const reaching = example.flatMap((file) => valueImports(file).filter((target) => !target.startsWith("sdk/examples/next/")).map((target) => `${file} -> ${target}`));
    expect(reaching).toEqual([]);
  });

  it("says at the top of a file over 400 lines why it is long", () => {
    const long = ["server", "sdk", "scripts", "test", "contracts"]
      .flatMap((folder) => filesUnder(folder, (path) => /\.(ts|tsx|sol)$/.test(path) && !path.includes("/bindings/")))
      .filter((file) => {
        const text = readFileSync(join(ROOT, file), "utf8");
        return text.split("\n").length - (text.endsWith("\n") ? 1 : 0) > 400 && !/^[\s\S]{0,1500}?\bLong because\b/m.test(text);
      });
    expect(long).toEqual([]);
  });
});
