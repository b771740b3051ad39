// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Stampbook collection: the shared vocabulary
/// @notice Types, events and errors of a brand's ERC-1155 collection of memberships and collectibles.
interface IStampbookCollection {
    /// @notice What a token type is. `None` marks an id that was never created.
    enum Kind {
        None,
        Membership,
        Collectible
    }

    /// @notice Settings a brand chooses when it creates a token type.
    /// @param kind Membership or Collectible.
    /// @param maxSupply Cap on the number of units ever minted; 0 means unlimited. Burning does not free room.
    /// @param duration Seconds a membership lasts from mint or renewal; 0 means it never expires.
    ///        Must be 0 for collectibles.
    /// @param soulbound When true, units can be minted and burned but never transferred.
    /// @param consumable When true, holders may burn units to redeem them (collectibles only).
    /// @param renewalPrice Native-currency price of one renewal period paid by anyone; 0 means only the
    ///        brand can renew. Requires an expiring membership.
    /// @param points Loyalty points a unit is worth.
    /// @param uri Metadata URI of the type.
    struct TokenTypeConfig {
        Kind kind;
        uint64 maxSupply;
        uint32 duration;
        bool soulbound;
        bool consumable;
        uint128 renewalPrice;
        uint128 points;
        string uri;
    }

    /// @notice A token type as stored, with its live supply figures.
    struct TokenTypeInfo {
        Kind kind;
        bool soulbound;
        bool consumable;
        uint32 duration;
        uint64 maxSupply;
        uint64 minted;
        uint64 supply;
        uint128 renewalPrice;
        uint128 points;
        string uri;
    }

    /// @notice An off-chain authorisation, signed by a MINTER_ROLE key, to mint `amount` of type `id` to `to`.
    /// @dev Anyone may submit it, so a relayer can pay the gas. `uid` makes it single-use; `price` (native
    ///      currency, may be 0) is paid by the submitter to the treasury.
    struct ClaimVoucher {
        address to;
        uint256 id;
        uint256 amount;
        uint64 validAfter;
        uint64 validUntil;
        bytes32 uid;
        uint256 price;
    }

    /// @notice A token type was created.
    event TokenTypeCreated(uint256 indexed id, Kind kind, uint64 maxSupply, uint32 duration, bool soulbound, bool consumable);
    /// @notice A token type's renewal price or points value changed.
    event TokenTypeTermsUpdated(uint256 indexed id, uint128 renewalPrice, uint128 points);
    /// @notice ERC-5192 style: the type `tokenId` is soulbound and its units will never move.
    event Locked(uint256 tokenId);
    /// @notice A holder's membership of type `id` now expires at `expiresAt` (unix seconds).
    event MembershipExtended(address indexed holder, uint256 indexed id, uint64 expiresAt);
    /// @notice The signed claim voucher `uid` was used; the mint is the TransferSingle of the same transaction.
    event VoucherClaimed(bytes32 indexed uid);
    /// @notice A holder burned units of a consumable type to redeem them; `ref` is the holder's reference. Who,
    ///         which type and how many are in the burn's TransferSingle (to the zero address), the log just
    ///         before this one in the same transaction: repeating them here would cost ~900 gas a redemption.
    event Redeemed(bytes32 indexed ref);
    /// @notice The address receiving voucher and renewal payments changed.
    event TreasuryUpdated(address treasury);
    /// @notice `minter` is now the collection's issuing minter (the zero address: none).
    event IssuingMinterSet(address indexed minter);
    /// @notice `account` paused the collection (as OpenZeppelin's Pausable says it).
    event Paused(address account);
    /// @notice `account` lifted the pause (as OpenZeppelin's Pausable says it).
    event Unpaused(address account);
    /// @notice ERC-7572: the collection-level metadata changed.
    event ContractURIUpdated();

    /// @notice No token type has id `id`.
    error UnknownTokenType(uint256 id);
    /// @notice Minting `requested` more units of `id` would pass its cap (`minted` so far of `maxSupply`).
    error MaxSupplyExceeded(uint256 id, uint256 minted, uint256 requested, uint256 maxSupply);
    /// @notice A supply or balance figure would not fit its storage width.
    error AmountTooLarge(uint256 amount);
    /// @notice Type `id` is soulbound: its units never move between holders.
    error SoulboundTransferRefused(uint256 id);
    /// @notice `holder` already holds a membership of type `id`; memberships are one per holder.
    error MembershipAlreadyHeld(address holder, uint256 id);
    /// @notice Memberships are minted and moved one at a time; `amount` was asked.
    error InvalidMembershipAmount(uint256 id, uint256 amount);
    /// @notice Type `id` is not a membership.
    error NotAMembership(uint256 id);
    /// @notice `holder` holds no membership of type `id`.
    error NotAMember(address holder, uint256 id);
    /// @notice Type `id` cannot be renewed this way (it never expires, or has no renewal price).
    error MembershipNotRenewable(uint256 id);
    /// @notice A renewal or extension must move the expiry later: `current` >= `requested`.
    error ExpiryNotLater(uint64 current, uint64 requested);
    /// @notice Renewals cover at least one period.
    error ZeroRenewalPeriods();
    /// @notice The payment sent (`received`) differs from the price (`expected`).
    error IncorrectPayment(uint256 expected, uint256 received);
    /// @notice Type `id` is not consumable, so it cannot be redeemed by burning.
    error NotConsumable(uint256 id);
    /// @notice An airdrop needs at least one recipient.
    error EmptyAirdrop();
    /// @notice The configuration is not valid for its kind; `reason` names the rule.
    error InvalidTokenTypeConfig(string reason);
    /// @notice The voucher may be used from `validAfter`; it is `nowTime`.
    error VoucherNotYetValid(uint64 validAfter, uint256 nowTime);
    /// @notice The voucher could be used until `validUntil`; it is `nowTime`.
    error VoucherExpired(uint64 validUntil, uint256 nowTime);
    /// @notice The voucher `uid` was used already.
    error VoucherAlreadyUsed(bytes32 uid);
    /// @notice The voucher's signature recovers to `signer`, who lacks MINTER_ROLE on this collection and chain.
    error VoucherSignerUnauthorized(address signer);
    /// @notice The treasury is the zero address.
    error InvalidTreasury(address treasury);
    /// @notice Sending `amount` to the treasury failed.
    error TreasuryPaymentFailed(address treasury, uint256 amount);
    /// @notice Only a MINTER_ROLE holder can be the issuing minter; `account` is none.
    error IssuingMinterLacksRole(address account);
    /// @notice The collection is paused (OpenZeppelin Pausable's error).
    error EnforcedPause();
    /// @notice The collection is not paused (OpenZeppelin Pausable's error).
    error ExpectedPause();
}
