import Link from "next/link";
import { connection } from "next/server";
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { AccountBar } from "../components/AccountBar";
import { ServerSession } from "../components/ServerSession";
import { storefrontConfig } from "../lib/config";
import { StampbookProviders } from "../lib/stampbook";
import "./globals.css";

export const metadata: Metadata = { title: "Members", description: "Your level, your perks and your journeys." };
export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#2b1d14" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The configuration is the running server's, not the build machine's: render on request.
  await connection();
  const config = storefrontConfig();
  return (
    <html lang="en">
      <body>
        <StampbookProviders config={config}>
          <header className="masthead">
            <div className="wrap">
              <Link href="/" className="brand">
                {config.brandName}
              </Link>
              <nav aria-label="Main">
                <Link href="/members">Members only</Link>
                <AccountBar />
              </nav>
            </div>
          </header>
          <main className="wrap">
            <ServerSession />
            {children}
          </main>
        </StampbookProviders>
      </body>
    </html>
  );
}
