/** Registers a brand's storefront origins through the API (`POST /v1/admin/origins`), as the brand's console does. */
import type { FastifyInstance } from "fastify";

export async function registerOrigins(app: FastifyInstance, apiKey: string, origins: readonly string[]): Promise<void> {
  for (const origin of origins) {
    const response = await app.inject({ method: "POST", url: "/v1/admin/origins", headers: { authorization: `Bearer ${apiKey}` }, payload: { origin } });
    if (response.statusCode !== 201 && response.statusCode !== 200) throw new Error(`could not register ${origin}: ${response.body}`);
  }
}
