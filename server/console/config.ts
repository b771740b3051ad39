/** What the console's pages learn from `config.json`: where the API and the chain are, and whose console it is. */
export type ConsoleConfig = {
  /** The API's origin (and path), e.g. http://localhost:8787. */
  apiUrl: string;
  chainId: number;
  rpcUrl: string;
  /** The brand staff sign in to by default (they may type another); null: they type it. */
  brandId: string | null;
  brandName: string;
};

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json");
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}
