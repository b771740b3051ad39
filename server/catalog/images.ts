/** Uploaded pictures: what their bytes are, and whether a client's cached copy is still the one served. */
import { IMAGE_TYPES, type ImageType } from "./types.ts";

/** What people call each format. */
export const IMAGE_FORMAT_NAMES: Record<ImageType, string> = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP", "image/gif": "GIF" };

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0) => bytes.length >= offset + prefix.length && prefix.every((b, i) => bytes[offset + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The picture format the bytes begin with (PNG, JPEG, WebP or GIF), or null. Only the signature is
 * read: it decides which decoder a browser uses, whatever the declared type says. SVG, HTML and
 * everything else is null.
 */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  return null;
}

/** The declared media type (`image/png; x=y` → `image/png`) if it is one we take, else null. */
export function declaredImageType(contentType: string | undefined): ImageType | null {
  const type = contentType?.split(";")[0]!.trim().toLowerCase();
  return (IMAGE_TYPES as readonly string[]).includes(type ?? "") ? (type as ImageType) : null;
}

/** The strong ETag of a picture with this SHA-256. */
export const etagOf = (sha256: string) => `"${sha256}"`;

/** Whether an `If-None-Match` header names this ETag (or `*`); weak comparison, as RFC 9110 asks for it. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || (t.startsWith("W/") ? t.slice(2) : t) === etag;
  });
}
