/** Referral invitations as they reach a storefront: a link carrying `?invite=<code>`. */

/**
 * The invitation code in `url`'s `?invite=` (default: the page's address), or null. Pass it to
 * `signIn({ invitation })`: a new member's first sign-in completes the inviter's referral step.
 *
 * @example
 * await client.signIn({ invitation: invitationFromUrl() });
 */
export function invitationFromUrl(url?: string): string | null {
  const href = url ?? (globalThis as { location?: { href?: string } }).location?.href;
  if (!href) return null;
  try {
    return new URL(href, "http://localhost").searchParams.get("invite") || null;
  } catch {
    return null;
  }
}
