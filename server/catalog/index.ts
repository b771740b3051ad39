/** Token types' names and pictures: what the rest of the server uses of them. */
export { createNameBook, type NameBook, type TokenLabel, type TokenNames } from "./names.ts";
export { catalogRoutes } from "./routes.ts";
export { createTokenCatalog, type MetadataInput, type TokenCatalog } from "./service.ts";
export type { CatalogStore, ImageType, StoredImage, TokenImage, TokenMetadata } from "./types.ts";
export { imageOf, metadataUriOf, metadataUrlOf } from "./urls.ts";
export { KIND_NAMES, nameOf, type TokenTypeView } from "./views.ts";
