/**
 * The README's "Add Stampbook to your storefront" is followed by brand developers line by line: every
 * TypeScript snippet in it is type-checked here, as the files it names, against the SDK's source
 * (`@stampbook/sdk`, `/react`, `/server`), React and Next.js, so a renamed hook or option breaks
 * the build, not a developer's afternoon.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const SECTION = "## Add Stampbook to your storefront";
// Inside the repository, so that snippets resolve react, next and @tanstack/react-query as an app would.
const work = join(root, "test-results", "readme-snippets");

/** The section's fenced ts/tsx blocks, each with the file its first line names (`// app/providers.tsx`). */
function snippets(): Array<{ file: string; code: string }> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf(`\n${SECTION}\n`);
  expect(start, `README.md has a "${SECTION}" section`).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + SECTION.length + 2);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```(ts|tsx)\n([\s\S]*?)```/g)].map(([, lang, code], i) => {
    const named = /^\/\/ ([\w./[\]-]+\.tsx?)\n/.exec(code!);
    return { file: named?.[1] ?? `snippet-${i}.${lang}`, code: code! };
  });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("README: Add Stampbook to your storefront", () => {
  it("every TypeScript snippet type-checks, as the file it names", () => {
    const found = snippets();
    expect(found.length).toBeGreaterThanOrEqual(4);
    rmSync(work, { recursive: true, force: true });
    for (const { file, code } of found) {
      mkdirSync(join(work, file, ".."), { recursive: true });
      writeFileSync(join(work, file), code);
    }
    const sdk = (entry: string) => [join(root, "sdk", "src", entry)];
    writeFileSync(
      join(work, "tsconfig.json"),
      JSON.stringify({
        extends: join(root, "tsconfig.json"),
        compilerOptions: {
          jsx: "react-jsx",
          // As a Next.js app resolves: extensionless relative imports, `next/server`.
          module: "esnext",
          moduleResolution: "bundler",
          types: ["node", "react", "react-dom"],
          allowImportingTsExtensions: true,
          noEmit: true,
          paths: { "@stampbook/sdk": sdk("index.ts"), "@stampbook/sdk/react": sdk("react/index.ts"), "@stampbook/sdk/server": sdk("server/index.ts"), "@/*": [join(work, "*")] },
        },
        include: [join(work, "**/*.ts"), join(work, "**/*.tsx")],
        exclude: [],
      }),
    );
    let output = "";
    try {
      execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(work, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      output = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
    }
    expect(output).toBe("");
  }, 240_000);
});
