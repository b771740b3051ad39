/**
 * Where the client keeps the session and the embedded wallet keeps its key: anything shaped like
 * `localStorage` (synchronous) or like React Native's AsyncStorage (promises).
 */

export type StampbookStorage = {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
};

/**
 * A storage that lives as long as the page or process (nothing survives a reload).
 *
 * @example
 * const client = createStampbookClient({ apiUrl, wallet, storage: memoryStorage() });
 */
export function memoryStorage(): StampbookStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/**
 * `globalThis.localStorage` when the page has a working one, else a {@link memoryStorage}. Reading
 * `localStorage` throws in some sandboxed iframes and it may be full or disabled (private modes), so
 * it is probed once.
 *
 * @example
 * const storage = defaultStorage(); // localStorage in a browser, memory in Node
 */
export function defaultStorage(): StampbookStorage {
  try {
    const local = (globalThis as { localStorage?: StampbookStorage }).localStorage;
    if (local && typeof local.getItem === "function" && typeof local.setItem === "function") {
      const probe = "stampbook:probe";
      local.setItem(probe, "1");
      local.removeItem(probe);
      return local;
    }
  } catch {
    // fall through to memory
  }
  return memoryStorage();
}
