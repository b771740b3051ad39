/**
 * The console's Webhooks tab in headless Chromium at desktop width, against `npm start` (which allows
 * plain http and private addresses for webhooks). A small HTTP receiver in the test answers 200 at
 * /crm, 410 at /old and 500 at /analytics. Staff sign in with the brand's API key, add an endpoint by
 * ticking event types in words, see its signing secret once (it verifies what arrives), send a test
 * message and read "Delivered", turn it off and on; a journey completed by a reported purchase is
 * sent to three endpoints, and the one answered 410 is turned off and the one answered 500 fails:
 * both are listed first, in words. Then the deliveries with their attempt log, a resend and a replay;
 * an edit, a new secret and a delete. A screenshot goes to test-results/console-webhooks-desktop.png.
 */
import { mkdir } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { freePort } from "../../scripts/free-port.ts";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { openScreen, settled, visibleText } from "../support/pages.ts";
import { startDemo, type DemoManifest, type DemoProcess } from "../support/demo-process.ts";

const SCREENSHOTS = new URL("../../test-results/", import.meta.url);
const available = chromiumAvailable();

type Manifest = DemoManifest & { consoleUrl: string };
type Received = { path: string; headers: IncomingHttpHeaders; body: string; type: string };

let demo: DemoProcess;
let m: Manifest;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Server;
let base: string;
const received: Received[] = [];
/** What one stage hands the next. */
const state: { secret?: string; crmId?: string } = {};

/** The receiver: every request kept; the answer chosen by the path. */
const ANSWERS: Record<string, [number, string]> = { "/crm": [200, "ok"], "/old": [410, "gone for good"], "/analytics": [500, "database down"] };

beforeAll(async () => {
  if (!available) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      let type = "";
      try {
        type = (JSON.parse(body) as { type: string }).type;
      } catch {
        // Not a message: kept as it came.
      }
      received.push({ path, headers: request.headers, body, type });
      const [status, text] = ANSWERS[path] ?? [404, "no such path"];
      response.writeHead(status, { "content-type": "text/plain" }).end(text);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => receiver.listen(port, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${port}`;
  [demo, browser] = await Promise.all([startDemo({ CONSOLE_PORT: String(await freePort()), WEBHOOK_ALLOW_PRIVATE: "1", WEBHOOK_ALLOW_HTTP: "1" }), launchChromium()]);
  m = demo.manifest as Manifest;
  // The demo registers its own receiver for the brand (npm start prints what it verifies); this test
  // starts from a brand with no endpoints, as a brand new to webhooks sees the tab.
  for (const endpoint of await endpoints()) {
    const deleted = await fetch(`${m.apiUrl}/v1/admin/webhooks/${endpoint.id}`, { method: "DELETE", headers: { authorization: `Bearer ${m.brand.apiKey}` } });
    expect(deleted.status).toBe(204);
  }
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await demo?.cleanup();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
});

async function screenshot(name: string) {
  await page.screenshot({ path: new URL(`console-webhooks-${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

/** The brand's API, as its servers call it. */
async function brandApi(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${m.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${m.brand.apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return response.json();
}

type Endpoint = { id: string; url: string; description: string; events: string[]; enabled: boolean; disabledReason: string | null; failingSince: string | null };
const endpoints = async (): Promise<Endpoint[]> => (await brandApi("GET", "/v1/admin/webhooks")).items;

/** The endpoint's card in the list, found by its description. */
const card = (description: string): Locator => page.locator("#webhook-list li.endpoint", { has: page.locator("[data-role=description]", { hasText: description }) });

/** The requests the receiver got at `path`. */
const at = (path: string) => received.filter((r) => r.path === path);

/** Adds an endpoint through the form, ticking `types` by their words; returns the secret shown. */
async function addEndpoint(path: string, description: string, types: string[]): Promise<string> {
  const form = page.locator("#webhook-form");
  await form.getByLabel("Address").fill(`${base}${path}`);
  await form.getByLabel("Description").fill(description);
  for (const words of types) await form.getByLabel(words, { exact: true }).check();
  await form.getByRole("button", { name: "Add endpoint" }).click();
  expect(await settled(form.locator("#webhook-status"))).toBe(`Added ${base}${path}. Send it a test message from the list above once your service has the secret.`);
  await expect.poll(() => card(description).count(), { timeout: 10_000 }).toBe(1);
  return (await page.locator("#webhook-secret [data-role=secret]").textContent())!;
}

describe.skipIf(!available)("the console's Webhooks tab in headless Chromium (skipped only where Chromium is missing and CI is not set)", () => {
  it("staff sign in with the brand's API key and open Webhooks: no endpoints yet", async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ["clipboard-read", "clipboard-write"] });
    page = await context.newPage();
    await page.goto(m.consoleUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByLabel("API key").fill(m.brand.apiKey);
    await page.getByRole("button", { name: "Sign in with the brand's API key" }).click();
    await expect.poll(() => page.locator("#role").textContent(), { timeout: 10_000 }).toBe("API key");
    await openScreen(page, "Webhooks");
    await expect.poll(() => page.locator("#webhook-list-status").getAttribute("data-state"), { timeout: 10_000 }).toBe("done");
    expect(await page.locator("#webhook-list li").count()).toBe(0);
    expect(await visibleText(page)).toContain("No endpoints yet");
  });

  it("refuses an endpoint in words: nothing ticked, then an address the API cannot use", async () => {
    const form = page.locator("#webhook-form");
    await form.getByLabel("Address").fill(`${base}/crm`);
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect.poll(() => form.locator("#webhook-status").getAttribute("data-state"), { timeout: 5_000 }).toBe("failed");
    expect(await form.locator("#webhook-status").textContent()).toBe("Tick at least one thing to send.");

    await form.getByLabel("Address").fill("ftp://files.example/hooks");
    await form.getByLabel("A member redeemed a perk", { exact: true }).check();
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect.poll(() => form.locator("#webhook-status").getAttribute("data-state"), { timeout: 10_000 }).toBe("failed");
    // The API's problem, as a sentence: its title and detail, no JSON.
    expect(await form.locator("#webhook-status").textContent()).toBe("The webhook URL cannot be used. Give the endpoint as a full address, like https://hooks.your-shop.example/stampbook.");
    expect(await endpoints()).toEqual([]);
    await form.getByLabel("A member redeemed a perk", { exact: true }).uncheck();
  });

  it("adds an endpoint with event types ticked in words, and shows its signing secret once", async () => {
    // The form offers the event types grouped, in words.
    const groups = await page.locator("#webhook-form .event-group > strong").allTextContents();
    expect(groups).toEqual(["Perks and the till", "Drops and stamps", "Journeys and levels", "Memberships", "Tokens", "Members' data", "Endpoints"]);
    expect(await page.locator("#webhook-form").textContent()).toContain("A membership is about to expire (72 h)");

    const secret = await addEndpoint("/crm", "Our CRM", ["A member redeemed a perk", "A journey was completed", "An endpoint was turned off"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(await page.locator("#webhook-secret").textContent()).toContain("it will not be shown again");
    await page.locator("#webhook-secret").getByRole("button", { name: "Copy" }).click();
    expect(await settled(page.locator("#webhook-secret .action-status"))).toBe("Copied: paste it into your receiving service's settings.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await screenshot("added");

    const [made] = await endpoints();
    expect(made).toMatchObject({ url: `${base}/crm`, description: "Our CRM", events: ["redemption.created", "journey.completed", "webhook.disabled"], enabled: true });
    state.secret = secret;
    state.crmId = made!.id;
    const crm = card("Our CRM");
    expect(await crm.locator("[data-role=badge]").textContent()).toBe("On");
    expect(await crm.locator("[data-role=events]").textContent()).toBe("Sent: A member redeemed a perk · A journey was completed · An endpoint was turned off");

    // Once: back on the screen, the secret is gone from the page.
    await openScreen(page, "Storefronts");
    await openScreen(page, "Webhooks");
    await expect.poll(() => page.locator("#webhook-list-status").getAttribute("data-state"), { timeout: 10_000 }).toBe("done");
    expect(await page.locator("[data-role=secret]").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it("sends a test message, signed with that secret, and says it was delivered", async () => {
    const crm = card("Our CRM");
    await crm.getByRole("button", { name: "Send a test message" }).click();
    expect(await settled(crm.locator("[data-role=endpoint-status]"))).toMatch(/^Delivered in \d+ ms \(HTTP 200\)\.$/);
    const [test] = at("/crm");
    expect(test?.type).toBe("webhook.test");
    expect(() => new Webhook(state.secret!).verify(test!.body, test!.headers as Record<string, string>)).not.toThrow();
  });

  it("turns the endpoint off and on again", async () => {
    const crm = card("Our CRM");
    await crm.getByRole("button", { name: "Turn off" }).click();
    expect(await settled(crm.locator("[data-role=endpoint-status]"))).toBe("Turned off: nothing is sent to it until you turn it on again.");
    expect(await crm.locator("[data-role=badge]").textContent()).toBe("Off");
    expect(await crm.locator("[data-role=health]").textContent()).toBe("Off: you turned it off, and nothing is sent to it.");
    expect((await endpoints())[0]!.enabled).toBe(false);

    await crm.getByRole("button", { name: "Turn on" }).click();
    expect(await settled(crm.locator("[data-role=endpoint-status]"))).toBe("Turned on: messages are sent to it again from now on.");
    expect(await crm.locator("[data-role=badge]").textContent()).toBe("On");
    expect((await endpoints())[0]!.enabled).toBe(true);
  });

  it("lists an endpoint turned off after a 410, and one failing with 500s, first, saying why in words", async () => {
    await addEndpoint("/old", "Old warehouse", ["A journey was completed"]);
    await addEndpoint("/analytics", "Analytics", ["A journey was completed"]);
    // A purchase the brand's till reports completes a journey: its message goes to all three.
    const member = m.accounts.find((a) => a.role.startsWith("new member"))!.address;
    const answer = await brandApi("POST", "/v1/admin/events", { type: "purchase", member, properties: { sku: "latte" } }, { "idempotency-key": "console-webhooks-latte-1" });
    expect(answer.matched).toHaveLength(1);
    await expect
      .poll(async () => (await endpoints()).map((e) => [e.description, e.enabled, e.disabledReason !== null, e.enabled && e.failingSince !== null]), { timeout: 20_000 })
      .toEqual([
        ["Our CRM", true, false, false],
        ["Old warehouse", false, true, false],
        ["Analytics", true, false, true],
      ]);

    await page.locator("#webhook-refresh").click();
    await expect.poll(() => page.locator("#webhook-list [data-role=description]").allTextContents(), { timeout: 10_000 }).toEqual(["Old warehouse", "Analytics", "Our CRM"]);
    expect(await page.locator("#webhook-list [data-role=badge]").allTextContents()).toEqual(["Turned off", "Failing", "On"]);
    expect(await card("Old warehouse").locator("[data-role=health]").textContent()).toBe(
      "Turned off: the endpoint answered 410 Gone: it asked not to be sent messages any more. Nothing is sent to it until you turn it on again.",
    );
    expect(await card("Analytics").locator("[data-role=health]").textContent()).toMatch(/^Failing since .+: every attempt since then failed\. Messages are tried again; if it still fails on .+, it is turned off\.$/);
    expect(await page.locator("#webhook-summary").textContent()).toBe("3 endpoints, 2 needing attention (listed first).");
    expect(await card("Old warehouse").getByRole("button", { name: "Turn on again" }).count()).toBe(1);

    // The CRM heard of the journey, and that the old endpoint was turned off.
    await expect.poll(() => at("/crm").map((r) => r.type).sort(), { timeout: 15_000 }).toEqual(["journey.completed", "webhook.disabled", "webhook.test"]);
    for (const message of at("/crm")) expect(() => new Webhook(state.secret!).verify(message.body, message.headers as Record<string, string>)).not.toThrow();

    // A test message to the failing one says why it was not delivered, in words.
    const analytics = card("Analytics");
    await analytics.getByRole("button", { name: "Send a test message" }).click();
    await expect.poll(() => analytics.locator("[data-role=endpoint-status]").getAttribute("data-state"), { timeout: 15_000 }).toBe("failed");
    expect(await analytics.locator("[data-role=endpoint-status]").textContent()).toBe("Not delivered: the endpoint answered HTTP 500 Internal Server Error (“database down”).");
  });

  it("shows an endpoint's deliveries with their attempt log, resends one and sends everything since a time again", async () => {
    const crm = card("Our CRM");
    await crm.getByRole("button", { name: "Deliveries" }).click();
    const deliveries = crm.locator("[data-role=deliveries]");
    const rows = deliveries.locator("tbody tr");
    // The receiver has them; their attempts are written a moment later: Refresh until they read delivered.
    await expect
      .poll(
        async () => {
          await deliveries.getByRole("button", { name: "Refresh" }).click();
          await settled(deliveries.locator("[data-role=deliveries-status]"));
          return rows.locator(".delivery-state").allTextContents();
        },
        { timeout: 15_000 },
      )
      .toEqual(["Delivered", "Delivered"]);
    expect((await rows.locator("td:first-child").allTextContents()).sort()).toEqual(["A journey was completed", "An endpoint was turned off"]);
    expect(await rows.locator("td:nth-child(5)").allTextContents()).toEqual(["HTTP 200 OK", "HTTP 200 OK"]);
    const journey = rows.filter({ hasText: "A journey was completed" });
    await journey.locator("summary").click();
    expect(await journey.locator(".attempt-log li").first().textContent()).toMatch(/^Attempt 1, .+: HTTP 200 OK in \d+ ms\. It answered: “ok”$/);

    // The failing endpoint's delivery waits to be tried again, its 500 in the log.
    const analytics = card("Analytics");
    await analytics.getByRole("button", { name: "Deliveries" }).click();
    const failing = analytics.locator("[data-role=deliveries] tbody tr");
    await expect.poll(() => failing.count(), { timeout: 15_000 }).toBe(1);
    expect(await failing.locator("td:nth-child(5)").textContent()).toBe("HTTP 500 Internal Server Error");
    expect(await failing.locator(".delivery-state").textContent()).toMatch(/^(Failed, will be tried again|Waiting to be sent)$/);

    await screenshot("desktop");

    // Resend: the same message arrives again, with the same webhook-id.
    const messageId = (await journey.getAttribute("data-message-id"))!;
    const before = at("/crm").filter((r) => r.headers["webhook-id"] === messageId).length;
    await journey.getByRole("button", { name: "Resend" }).click();
    expect(await settled(deliveries.locator("[data-role=deliveries-status]"))).toBe("“A journey was completed” is on its way again, with the same message id: your service can tell it is a repeat.");
    await expect.poll(() => at("/crm").filter((r) => r.headers["webhook-id"] === messageId).length, { timeout: 15_000 }).toBe(before + 1);

    // Replay from 24 hours ago (the field's default): both messages, again.
    const since = await deliveries.getByLabel("Send again everything since").inputValue();
    expect(Math.abs(new Date(since).getTime() - (Date.now() - 24 * 3600_000))).toBeLessThan(10 * 60_000);
    const count = at("/crm").length;
    page.once("dialog", (dialog) => void dialog.accept());
    await deliveries.getByRole("button", { name: "Send again" }).click();
    expect(await settled(deliveries.locator("[data-role=replay-status]"))).toBe("2 messages are on their way again.");
    await expect.poll(() => at("/crm").length, { timeout: 15_000 }).toBe(count + 2);
  });

  it("edits an endpoint, makes it a new secret (shown once) and deletes another after a confirm", async () => {
    const crm = card("Our CRM");
    await crm.getByRole("button", { name: "Edit" }).click();
    const edit = crm.locator("form.endpoint-edit");
    expect(await edit.getByLabel("Address").inputValue()).toBe(`${base}/crm`);
    expect(await edit.getByLabel("A journey was completed", { exact: true }).isChecked()).toBe(true);
    await edit.getByLabel("Description").fill("Our CRM (members)");
    await edit.getByLabel("A member's level changed", { exact: true }).check();
    await edit.getByRole("button", { name: "Save" }).click();
    const edited = card("Our CRM (members)");
    expect(await settled(edited.locator("[data-role=endpoint-status]"))).toBe("Saved.");
    expect(await edited.locator("[data-role=events]").textContent()).toContain("A member's level changed");
    expect((await endpoints()).find((e) => e.id === state.crmId)).toMatchObject({ description: "Our CRM (members)", events: ["redemption.created", "journey.completed", "level.changed", "webhook.disabled"] });

    page.once("dialog", (dialog) => {
      expect(dialog.message()).toContain("for 24 hours");
      void dialog.accept();
    });
    await edited.getByRole("button", { name: "New secret" }).click();
    expect(await settled(edited.locator("[data-role=endpoint-status]"))).toBe("A new secret: copy it below.");
    const fresh = (await edited.locator("[data-role=secret]").textContent())!;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(state.secret);
    expect(await edited.locator(".secret-box").textContent()).toMatch(/The old secret keeps working until .+: put the new one in your receiving service before then\./);
    // Both secrets sign the next message.
    await edited.getByRole("button", { name: "Send a test message" }).click();
    expect(await settled(edited.locator("[data-role=endpoint-status]"))).toMatch(/^Delivered in \d+ ms/);
    const last = at("/crm").filter((r) => r.type === "webhook.test").at(-1)!;
    for (const secret of [fresh, state.secret!]) expect(() => new Webhook(secret).verify(last.body, last.headers as Record<string, string>)).not.toThrow();
    await edited.getByRole("button", { name: "I have kept it" }).click();
    expect(await edited.locator("[data-role=secret]").count()).toBe(0);

    // Delete: dismissed, nothing happens; accepted, it is gone.
    const analytics = card("Analytics");
    page.once("dialog", (dialog) => void dialog.dismiss());
    await analytics.getByRole("button", { name: "Delete" }).click();
    expect((await endpoints()).map((e) => e.description)).toContain("Analytics");
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toContain("Delete the endpoint");
      void dialog.accept();
    });
    await analytics.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => card("Analytics").count(), { timeout: 10_000 }).toBe(0);
    expect((await endpoints()).map((e) => e.description)).toEqual(["Our CRM (members)", "Old warehouse"]);
    await screenshot("end");
  });
});
