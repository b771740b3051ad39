/**
 * What counts as a storefront's origin: the Origin header a browser sends for it (scheme, lower-case
 * host, a port only when not the scheme's default). Plain http is accepted only for this machine
 * (localhost, *.localhost, loopback addresses), where browsers treat it as secure; anything a
 * member reaches over a network signs in over https.
 */
import { Problem } from "../errors.ts";

const LOOPBACK_HOSTNAMES = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** `input` as a serialized origin, or a 400 `origin_invalid` saying what is wrong with it. */
export function parseOrigin(input: string): string {
  const url = URL.parse(input.trim());
  const invalid = (detail: string) => new Problem(400, "origin_invalid", "That is not a web origin a storefront can run on", detail);
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) throw invalid("Give the address as https://your-shop.example (with http:// only for localhost).");
  if (url.username !== "" || url.password !== "") throw invalid("An origin carries no user name or password.");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") throw invalid(`Only the scheme, host and port: ${url.origin}`);
  if (url.protocol === "http:" && !LOOPBACK_HOSTNAMES.test(url.hostname)) throw invalid(`Members sign in over https: use https://${url.host}. Plain http is accepted only for localhost.`);
  return url.origin;
}

