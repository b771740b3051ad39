/** Reading a referral invitation from the storefront's address. */
import { afterEach, describe, expect, it } from "vitest";
import { invitationFromUrl } from "./invitation.ts";

const g = globalThis as { location?: unknown };
afterEach(() => {
  delete g.location;
});

describe("invitationFromUrl", () => {
  it("reads ?invite= from an absolute or relative URL", () => {
    expect(invitationFromUrl("https://shop.example/join?ref=x&invite=K7QP3XMD#top")).toBe("K7QP3XMD");
    expect(invitationFromUrl("/journeys?invite=a%2Bb")).toBe("a+b");
    expect(invitationFromUrl("?invite=abc")).toBe("abc");
  });

  it("is null without one, with an empty one, or for what is not a URL", () => {
    expect(invitationFromUrl("https://shop.example/")).toBeNull();
    expect(invitationFromUrl("https://shop.example/?invite=")).toBeNull();
    expect(invitationFromUrl("http://[::1")).toBeNull();
    expect(invitationFromUrl("")).toBeNull();
  });

  it("defaults to the page's address, and is null where there is none (Node)", () => {
    expect(invitationFromUrl()).toBeNull();
    g.location = { href: "https://shop.example/?invite=FROMPAGE" };
    expect(invitationFromUrl()).toBe("FROMPAGE");
  });
});
