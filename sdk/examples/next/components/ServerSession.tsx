"use client";
/**
 * Keeps this storefront's server in step with the member's sign-in: once signed in (or the session
 * restored) the browser hands the member's entitlement to the session endpoint and renews it before
 * it expires; on sign-out it ends it. The server-rendered pages are then asked again, so the
 * members-only page follows at once. A failure is said in words; nothing else on the page needs it.
 */
import { startServerSession, type ServerSession as Session } from "@stampbook/sdk";
import { useMember, useStampbookClient } from "@stampbook/sdk/react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { explain } from "../lib/explain";
import { useStorefrontConfig } from "../lib/stampbook";

const SESSION_ENDPOINT = "/api/stampbook/session";

export function ServerSession() {
  const client = useStampbookClient();
  const { brand } = useStorefrontConfig();
  const { address } = useMember();
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  // One start or end at a time, in order: a sign-out's DELETE never lands after the next sign-in's POST.
  const queue = useRef<Promise<unknown>>(Promise.resolve());

  useEffect(() => {
    if (address === undefined) return;
    const started: Promise<Session | null> = queue.current.then(() =>
      // A renewal that fails (signed out elsewhere, the API down) lets the server session lapse at its expiry.
      startServerSession(client, { endpoint: SESSION_ENDPOINT, brand, onError: () => undefined }).then(
        (session) => {
          setProblem(null);
          router.refresh();
          return session;
        },
        (error: unknown) => {
          setProblem(`The members-only page cannot open for you: ${explain(error)}`);
          return null;
        },
      ),
    );
    queue.current = started;
    return () => {
      queue.current = started.then(async (session) => {
        if (session === null) return;
        await session.end().catch(() => undefined);
        router.refresh();
      });
    };
  }, [client, brand, address, router]);

  return problem === null ? null : (
    <p className="status error" role="status">
      {problem}
    </p>
  );
}
