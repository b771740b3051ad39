/**
 * What member and staff sessions share: a cache of sessions found not ended, keyed by the token
 * itself (a hit costs no MAC and no store read), trusted for `ttlMs`, and dropped by session id when
 * another instance ends one (`forget`). A lookup that read the store before a `forget` must not cache
 * what it read: `begin()` hands out the generation to pass back to `put`.
 */
export type SessionCache<T> = {
  /** The cached session for `token` if it is fresh at `at` (ms) and not past its expiry. */
  get(token: string, at: number): T | undefined;
  /** The generation to hand to `put` once the store has been read. */
  begin(): number;
  /** Caches `value` unless a `forget` came after `generation` (or caching is off). */
  put(token: string, entry: { id: string; value: T; at: number; expiresAtMs: number }, generation: number): void;
  drop(token: string): void;
  /** Drops one session by id, or every session. */
  forget(sessionId?: string): void;
};

export function createSessionCache<T>(options: { ttlMs: number; maxEntries: number }): SessionCache<T> {
  const sessions = new Map<string, { id: string; value: T; cachedAt: number; expiresAtMs: number }>();
  // Session id -> token, for `forget`: the cache is keyed by token, another instance names the id.
  const tokens = new Map<string, string>();
  let forgotten = 0;

  function drop(token: string): void {
    const entry = sessions.get(token);
    if (entry === undefined) return;
    sessions.delete(token);
    tokens.delete(entry.id);
  }

  return {
    get(token, at) {
      const entry = sessions.get(token);
      if (entry === undefined) return undefined;
      if (at - entry.cachedAt < options.ttlMs && at < entry.expiresAtMs) return entry.value;
      drop(token);
      return undefined;
    },
    begin: () => forgotten,
    put(token, { id, value, at, expiresAtMs }, generation) {
      if (options.ttlMs <= 0 || generation !== forgotten) return;
      if (sessions.size >= options.maxEntries) drop(sessions.keys().next().value!);
      drop(token);
      sessions.set(token, { id, value, cachedAt: at, expiresAtMs });
      tokens.set(id, token);
    },
    drop,
    forget(sessionId) {
      forgotten++;
      if (sessionId === undefined) {
        sessions.clear();
        tokens.clear();
        return;
      }
      const token = tokens.get(sessionId);
      if (token !== undefined) drop(token);
    },
  };
}
