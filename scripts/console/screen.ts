/** What every console screen is: its element, and `show()` that (re)loads what it displays. */
import type { ConsoleConfig } from "./config.ts";
import type { StaffSession } from "./wallet.ts";

export type Screen = { element: HTMLElement; show(): Promise<void> };

/** What screens may read: the page's configuration and who is signed in. */
export type ConsoleContext = { config: ConsoleConfig; session: () => StaffSession };
