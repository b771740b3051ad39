/**
 * `@stampbook/sdk`: sign members in with their wallet, show their perks, redeem them, claim drops, complete journeys,
 * and let members keep their data in hand: profile, signed consents to brands, access log, export, erasure.
 */
export { createStampbookClient } from "./client.ts";
export type { Client, SessionEndReason, StampbookClient, StampbookClientConfig, StampbookEvents } from "./types/client.ts";

export { claimDrop, type ClaimDropErrorType, type ClaimDropParameters, type ClaimDropReturnType } from "./actions/claimDrop.ts";
export { completeStep, type CompleteStepErrorType, type CompleteStepParameters, type CompleteStepReturnType, type StepInput } from "./actions/completeStep.ts";
export { eraseData, type EraseDataErrorType, type EraseDataReturnType } from "./actions/eraseData.ts";
export { ERASURE_STATEMENT } from "./protocol/statements.ts";
export { exportData, type ExportDataErrorType, type ExportDataReturnType } from "./actions/exportData.ts";
export { getAccessLog, type GetAccessLogErrorType, type GetAccessLogParameters, type GetAccessLogReturnType } from "./actions/getAccessLog.ts";
export { getClaim, type GetClaimErrorType, type GetClaimParameters, type GetClaimReturnType } from "./actions/getClaim.ts";
export { getConsents, type GetConsentsErrorType, type GetConsentsReturnType } from "./actions/getConsents.ts";
export { getDataRequests, type GetDataRequestsErrorType, type GetDataRequestsReturnType } from "./actions/getDataRequests.ts";
export { getDrops, type GetDropsErrorType, type GetDropsParameters, type GetDropsReturnType } from "./actions/getDrops.ts";
export { getJourneys, type GetJourneysErrorType, type GetJourneysReturnType } from "./actions/getJourneys.ts";
export { getLevels, type GetLevelsErrorType, type GetLevelsParameters, type GetLevelsReturnType } from "./actions/getLevels.ts";
export { getEntitlement, type GetEntitlementErrorType, type GetEntitlementParameters, type GetEntitlementReturnType } from "./actions/getEntitlement.ts";
export { startServerSession, type ServerSession, type StartServerSessionErrorType, type StartServerSessionParameters } from "./actions/startServerSession.ts";
export { getMe, type GetMeErrorType, type GetMeReturnType } from "./actions/getMe.ts";
export { getPerks, type GetPerksErrorType, type GetPerksParameters, type GetPerksReturnType } from "./actions/getPerks.ts";
export { getProfile, type GetProfileErrorType, type GetProfileReturnType } from "./actions/getProfile.ts";
export { getRedemptions, type GetRedemptionsErrorType, type GetRedemptionsParameters, type GetRedemptionsReturnType } from "./actions/getRedemptions.ts";
export { grantConsent, type GrantConsentErrorType, type GrantConsentParameters, type GrantConsentReturnType } from "./actions/grantConsent.ts";
export { linkWallet, type LinkWalletErrorType, type LinkWalletParameters, type LinkWalletReturnType } from "./actions/linkWallet.ts";
export { redeemPerk, type RedeemPerkErrorType, type RedeemPerkParameters, type RedeemPerkReturnType } from "./actions/redeemPerk.ts";
export { restoreSession, type RestoreSessionErrorType, type RestoreSessionReturnType } from "./actions/restoreSession.ts";
export { revokeConsent, type RevokeConsentErrorType, type RevokeConsentParameters, type RevokeConsentReturnType } from "./actions/revokeConsent.ts";
export { signIn, type SignInErrorType, type SignInParameters, type SignInReturnType } from "./actions/signIn.ts";
export { signOut, type SignOutReturnType } from "./actions/signOut.ts";
export { switchChain, type SwitchChainErrorType, type SwitchChainParameters, type SwitchChainReturnType } from "./actions/switchChain.ts";
export { updateProfile, type UpdateProfileErrorType, type UpdateProfileParameters, type UpdateProfileReturnType } from "./actions/updateProfile.ts";

export { StampbookError, type StampbookErrorParameters, type StampbookErrorType } from "./errors/base.ts";
export { ApiError, HttpRequestError, type ApiErrorCode, type ApiErrorType, type HttpRequestErrorType, type Problem } from "./errors/api.ts";
export type { ProblemCode } from "./protocol/problems.ts";
export { BrandNotFoundError, type BrandNotFoundErrorType } from "./errors/brand.ts";
export { StepRefusedError, type StepRefusalCode, type StepRefusedErrorType } from "./errors/journey.ts";
export { NotSignedInError, type NotSignedInErrorType } from "./errors/session.ts";
export {
  ConsentTemplateMismatchError,
  DataRequestNotFoundError,
  type ConsentTemplateMismatchErrorType,
  type ConsentTemplatePart,
  type DataRequestNotFoundErrorType,
} from "./errors/data.ts";
export { ClaimFailedError, ClaimPendingError, type ClaimFailedErrorType, type ClaimPendingErrorType } from "./errors/claim.ts";
export {
  ChainMismatchError,
  UserRejectedError,
  WalletError,
  WalletNotFoundError,
  WalletTimeoutError,
  type ChainMismatchErrorType,
  type UserRejectedErrorType,
  type WalletErrorType,
  type WalletNotFoundErrorType,
  type WalletTimeoutErrorType,
} from "./errors/wallet.ts";

export { invitationFromUrl } from "./invitation.ts";
export { defaultStorage, memoryStorage, type StampbookStorage } from "./storage.ts";
export { discoverWallets, watchWallets, type DiscoverWalletsParameters, type Eip6963ProviderDetail, type Eip6963ProviderInfo } from "./wallets/discover.ts";
export { eip1193Wallet } from "./wallets/eip1193.ts";
export { signerWallet, type SignerLike } from "./wallets/signer.ts";
export { toWallet, type WalletInput } from "./wallets/toWallet.ts";
export type { ChainConfig, Eip1193Provider, StampbookWallet, TransactionRequest } from "./wallets/types.ts";
export { viemAccountWallet } from "./wallets/viemAccount.ts";
export { viemWalletClientWallet } from "./wallets/viemWalletClient.ts";
// The wire shapes, derived from the protocol's schemas (sdk/src/protocol/), under the names the SDK has always used.
export type { NonceGrant, Session } from "./protocol/auth.ts";
export type { Holding, LoyaltyStanding, Me } from "./protocol/members.ts";
export type { Level } from "./protocol/levels.ts";
export type { Reason as PerkReason, ReasonCode as PerkReasonCode } from "./protocol/offers.ts";
export type { MemberPerk, Redemption, RedemptionPage } from "./protocol/perks.ts";
export type { Claim, ClaimStatus, Voucher as ClaimVoucherJson, MemberDrop } from "./protocol/drops.ts";
export type { StepKind as JourneyStepKind, MemberJourney, MemberJourneyStep } from "./protocol/journeys.ts";
export type { AwardStatus as JourneyAwardStatus } from "./protocol/awards.ts";
export type { DataField } from "./protocol/data-fields.ts";
export type { AccessLogEntry, AccessLogPage, Birthday, Consent, ConsentReceipt, ConsentStatus, ConsentTemplate, DataExport, ListedDataRequest as DataRequest, Erased, Profile, ProfileInput } from "./protocol/data.ts";
