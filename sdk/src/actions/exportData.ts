import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { DataExport } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";

export type ExportDataReturnType = DataExport;
export type ExportDataErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * Everything Stampbook keeps about the signed-in member (`GET /v1/me/export`), as one JSON document:
 * profile, grants with their receipts, access log, redemptions, claims and journey progress. Returned
 * as the server sent it, ready to offer as a download.
 *
 * @example
 * const data = await client.exportData();
 * const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
 * Object.assign(document.createElement("a"), { href: url, download: "stampbook-export.json" }).click();
 */
export async function exportData(client: Client): Promise<ExportDataReturnType> {
  return apiRequest<DataExport>(client, { method: "GET", path: "/v1/me/export", retry: true });
}
