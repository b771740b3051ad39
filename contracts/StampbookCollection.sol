// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {ERC1155Holdings} from "./token/ERC1155Holdings.sol";
import {ClaimVouchers} from "./vouchers/ClaimVouchers.sol";

/// @title A brand's collection of memberships and collectibles
/// @notice One ERC-1155 contract per brand. Each token id is a type the brand creates: a membership
///         (one per holder, optionally expiring and renewable) or a collectible (optionally capped,
///         consumable by burn-to-redeem). Any type may be soulbound.
/// @dev Transfer rule for memberships: a transferable membership moves whole, with its expiry; the
///      recipient must not already hold one of that type. Expiry is therefore a property of the
///      membership, not of the wallet that bought it, and cannot be reset by moving it.
contract StampbookCollection is ERC1155Holdings, ClaimVouchers, AccessControl, Pausable, ERC2981 {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @dev The fields every mint, transfer and burn reads, packed into one slot. `paused` mirrors the
    ///      collection-wide pause so the hot paths need no extra cold storage read to honour it.
    struct TokenType {
        Kind kind;
        bool soulbound;
        bool consumable;
        bool paused;
        uint32 duration;
        uint64 maxSupply;
        uint64 minted;
        uint64 supply;
    }

    /// @dev Read only by paid renewals and views, so kept out of the hot slot.
    struct TokenTerms {
        uint128 renewalPrice;
        uint128 points;
    }

    uint64 private constant NEVER_EXPIRES = type(uint64).max;

    string private _name;
    string private _symbol;
    string private _contractURI;
    address private _treasury;
    uint256 private _typeCount;
    mapping(uint256 id => TokenType) private _types;
    mapping(uint256 id => TokenTerms) private _terms;
    mapping(uint256 id => string) private _uris;

    /// @param name_ Collection name shown by wallets and marketplaces.
    /// @param symbol_ Short symbol.
    /// @param admin Receives DEFAULT_ADMIN_ROLE, MINTER_ROLE and PAUSER_ROLE.
    /// @param treasury_ Receives voucher and renewal payments.
    /// @param contractURI_ ERC-7572 collection metadata URI.
    /// @param royaltyBps Default ERC-2981 royalty in basis points, paid to the treasury.
    constructor(
        string memory name_,
        string memory symbol_,
        address admin,
        address treasury_,
        string memory contractURI_,
        uint96 royaltyBps
    ) EIP712("Stampbook", "1") {
        if (treasury_ == address(0)) revert InvalidTreasury(address(0));
        _name = name_;
        _symbol = symbol_;
        _contractURI = contractURI_;
        _treasury = treasury_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _setDefaultRoyalty(treasury_, royaltyBps);
    }

    // ---------------------------------------------------------------- token types

    /// @notice Creates a token type and returns its id (ids count up from 1).
    function createTokenType(TokenTypeConfig calldata config) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 id) {
        if (config.kind == Kind.None) revert InvalidTokenTypeConfig("kind");
        if (config.kind == Kind.Collectible && config.duration != 0) revert InvalidTokenTypeConfig("collectibles never expire");
        if (config.kind == Kind.Membership && config.consumable) revert InvalidTokenTypeConfig("memberships are not consumable");
        if (config.renewalPrice != 0 && (config.kind != Kind.Membership || config.duration == 0)) {
            revert InvalidTokenTypeConfig("renewal price needs an expiring membership");
        }
        id = ++_typeCount;
        _types[id] = TokenType({
            kind: config.kind,
            soulbound: config.soulbound,
            consumable: config.consumable,
            paused: paused(),
            duration: config.duration,
            maxSupply: config.maxSupply,
            minted: 0,
            supply: 0
        });
        _terms[id] = TokenTerms(config.renewalPrice, config.points);
        _uris[id] = config.uri;
        emit TokenTypeCreated(id, config.kind, config.maxSupply, config.duration, config.soulbound, config.consumable);
        emit TokenTypeTermsUpdated(id, config.renewalPrice, config.points);
        emit URI(config.uri, id);
        if (config.soulbound) emit Locked(id);
    }

    /// @notice Changes a type's renewal price and points value.
    function setTokenTypeTerms(uint256 id, uint128 renewalPrice, uint128 points) external onlyRole(DEFAULT_ADMIN_ROLE) {
        TokenType memory t = _existingType(id);
        if (renewalPrice != 0 && (t.kind != Kind.Membership || t.duration == 0)) {
            revert InvalidTokenTypeConfig("renewal price needs an expiring membership");
        }
        _terms[id] = TokenTerms(renewalPrice, points);
        emit TokenTypeTermsUpdated(id, renewalPrice, points);
    }

    /// @notice Changes a type's metadata URI.
    function setTokenURI(uint256 id, string calldata tokenURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _existingType(id);
        _uris[id] = tokenURI;
        emit URI(tokenURI, id);
    }

    /// @notice A type's settings and supply figures.
    function tokenType(uint256 id) external view returns (TokenTypeInfo memory) {
        TokenType memory t = _existingType(id);
        TokenTerms memory terms = _terms[id];
        return
            TokenTypeInfo({
                kind: t.kind,
                soulbound: t.soulbound,
                consumable: t.consumable,
                duration: t.duration,
                maxSupply: t.maxSupply,
                minted: t.minted,
                supply: t.supply,
                renewalPrice: terms.renewalPrice,
                points: terms.points,
                uri: _uris[id]
            });
    }

    /// @notice How many token types exist; their ids are 1 to this number.
    function tokenTypeCount() external view returns (uint256) {
        return _typeCount;
    }

    /// @notice Whether type `id` exists.
    function exists(uint256 id) external view returns (bool) {
        return _types[id].kind != Kind.None;
    }

    /// @notice Units of `id` in circulation (minted minus burned).
    function totalSupply(uint256 id) external view returns (uint256) {
        return _types[id].supply;
    }

    /// @notice Units of `id` ever minted.
    function totalMinted(uint256 id) external view returns (uint256) {
        return _types[id].minted;
    }

    /// @notice Cap on units of `id` ever minted; 0 means unlimited.
    function maxSupply(uint256 id) external view returns (uint256) {
        return _types[id].maxSupply;
    }

    /// @notice ERC-5192 style: whether units of type `id` are soulbound (never transferable).
    function locked(uint256 id) external view returns (bool) {
        return _existingType(id).soulbound;
    }

    /// @notice The metadata URI of type `id`.
    function uri(uint256 id) external view returns (string memory) {
        return _uris[id];
    }

    // ---------------------------------------------------------------- minting

    /// @notice Mints `amount` units of `id` to `to`. Memberships are minted one at a time and start now.
    function mint(address to, uint256 id, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mintOne(to, id, amount);
    }

    /// @notice Mints `amount` units of `id` to every address in `recipients`, in one transaction.
    function airdrop(uint256 id, address[] calldata recipients, uint256 amount) external onlyRole(MINTER_ROLE) {
        uint256 count = recipients.length;
        if (count == 0) revert EmptyAirdrop();
        TokenType memory t = _activeType(id);
        _reserveSupply(id, t, amount, count);
        for (uint256 i; i < count; ++i) {
            address to = recipients[i];
            _credit(to, id, amount, t);
            emit TransferSingle(msg.sender, address(0), to, id, amount);
            ERC1155Utils.checkOnERC1155Received(msg.sender, address(0), to, id, amount, "");
        }
    }

    /// @notice Mints what a MINTER_ROLE-signed voucher allows. Anyone may submit it and pays `voucher.price`.
    /// @param r The signature's `r`.
    /// @param vs The signature's `s` with the recovery bit on top (ERC-2098).
    function claim(ClaimVoucher calldata voucher, bytes32 r, bytes32 vs) external payable {
        _useVoucher(voucher, r, vs);
        if (msg.value != voucher.price) revert IncorrectPayment(voucher.price, msg.value);
        _mintOne(voucher.to, voucher.id, voucher.amount);
        if (msg.value != 0) _pay(msg.value);
    }

    // ---------------------------------------------------------------- memberships

    /// @notice Whether `holder`'s membership of type `id` is active now (held and not expired).
    function isMembershipActive(address holder, uint256 id) external view returns (bool) {
        Holding memory h = _holding(id, holder);
        return h.balance != 0 && h.expiresAt > block.timestamp;
    }

    /// @notice When `holder`'s membership of `id` ends (unix seconds); 0 if none is held, 2^64-1 if it never expires.
    function expiresAt(address holder, uint256 id) external view returns (uint64) {
        return _holding(id, holder).expiresAt;
    }

    /// @notice Balances and membership expiries of `holder` for many ids in one call.
    function holdingsOf(
        address holder,
        uint256[] calldata ids
    ) external view returns (uint256[] memory balances, uint64[] memory expiries) {
        balances = new uint256[](ids.length);
        expiries = new uint64[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            Holding memory h = _holding(ids[i], holder);
            balances[i] = h.balance;
            expiries[i] = h.expiresAt;
        }
    }

    /// @notice Renews `holder`'s membership of `id` by `periods` durations, paid by the caller at the type's price.
    /// @dev Time is added to the later of now and the current expiry, so early renewals lose nothing.
    function renew(address holder, uint256 id, uint32 periods) external payable {
        TokenType memory t = _membershipType(id);
        if (periods == 0) revert ZeroRenewalPeriods();
        uint256 price = uint256(_terms[id].renewalPrice) * periods;
        if (price == 0) revert MembershipNotRenewable(id);
        if (msg.value != price) revert IncorrectPayment(price, msg.value);
        _extendBy(holder, id, uint256(t.duration) * periods);
        _pay(msg.value);
    }

    /// @notice The brand renews `holder`'s membership of `id` by `periods` durations, free of charge.
    function renewFor(address holder, uint256 id, uint32 periods) external onlyRole(MINTER_ROLE) {
        TokenType memory t = _membershipType(id);
        if (t.duration == 0) revert MembershipNotRenewable(id);
        if (periods == 0) revert ZeroRenewalPeriods();
        _extendBy(holder, id, uint256(t.duration) * periods);
    }

    /// @notice The brand moves `holder`'s membership expiry of `id` to a later time `newExpiresAt`.
    function extendMembership(address holder, uint256 id, uint64 newExpiresAt) external onlyRole(MINTER_ROLE) {
        TokenType memory t = _membershipType(id);
        if (t.duration == 0) revert MembershipNotRenewable(id);
        Holding storage h = _holding(id, holder);
        if (h.balance == 0) revert NotAMember(holder, id);
        if (newExpiresAt <= h.expiresAt) revert ExpiryNotLater(h.expiresAt, newExpiresAt);
        h.expiresAt = newExpiresAt;
        emit MembershipExtended(holder, id, newExpiresAt);
    }

    // ---------------------------------------------------------------- burning

    /// @notice Burns `amount` of the caller's units of consumable type `id` to redeem them; `ref` links the
    ///         redemption to an order or perk off chain.
    function redeem(uint256 id, uint256 amount, bytes32 ref) external {
        TokenType memory t = _activeType(id);
        if (!t.consumable) revert NotConsumable(id);
        _burn(msg.sender, id, amount, t);
        emit Redeemed(msg.sender, id, amount, ref);
    }

    /// @notice Burns `amount` units of `id` held by `from` (the caller or an approved operator).
    function burn(address from, uint256 id, uint256 amount) external {
        if (from != msg.sender && !isApprovedForAll(from, msg.sender)) revert ERC1155MissingApprovalForAll(msg.sender, from);
        _burn(from, id, amount, _activeType(id));
    }

    // ---------------------------------------------------------------- administration

    /// @notice Stops minting, transfers, burns, claims and renewals.
    /// @dev Costs one storage write per token type: the flag is mirrored into each type's hot slot.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
        _mirrorPause(true);
    }

    /// @notice Resumes after {pause}.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
        _mirrorPause(false);
    }

    /// @notice Where voucher and renewal payments go.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice Changes the treasury.
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newTreasury == address(0)) revert InvalidTreasury(address(0));
        _treasury = newTreasury;
        emit TreasuryUpdated(newTreasury);
    }

    /// @notice Sets the default ERC-2981 royalty.
    function setDefaultRoyalty(address receiver, uint96 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDefaultRoyalty(receiver, feeBps);
    }

    /// @notice Sets the ERC-2981 royalty of one type.
    function setTokenRoyalty(uint256 id, address receiver, uint96 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTokenRoyalty(id, receiver, feeBps);
    }

    /// @notice ERC-7572 collection metadata URI.
    function contractURI() external view returns (string memory) {
        return _contractURI;
    }

    /// @notice Changes the collection metadata URI.
    function setContractURI(string calldata newContractURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _contractURI = newContractURI;
        emit ContractURIUpdated();
    }

    /// @notice Collection name.
    function name() external view returns (string memory) {
        return _name;
    }

    /// @notice Collection symbol.
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc ERC1155Holdings
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155Holdings, AccessControl, ERC2981) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Type rules on every holder-to-holder move.
    function _transfer(address from, address to, uint256 id, uint256 value) internal override {
        TokenType storage t = _types[id];
        if (t.paused) revert EnforcedPause();
        if (t.soulbound) revert SoulboundTransferRefused(id);
        if (t.kind == Kind.Membership && value != 0) {
            Holding storage source = _holding(id, from);
            Holding storage target = _holding(id, to);
            if (value != 1) revert InvalidMembershipAmount(id, value);
            if (source.balance == 0) revert ERC1155InsufficientBalance(from, 0, 1, id);
            if (from == to) return; // ERC-1155 allows sending to oneself; nothing changes.
            if (target.balance != 0) revert MembershipAlreadyHeld(to, id);
            _writeHolding(target, 1, source.expiresAt);
            _writeHolding(source, 0, 0);
            return;
        }
        super._transfer(from, to, id, value);
    }

    function _mintOne(address to, uint256 id, uint256 amount) private {
        TokenType memory t = _activeType(id);
        _reserveSupply(id, t, amount, 1);
        _credit(to, id, amount, t);
        emit TransferSingle(msg.sender, address(0), to, id, amount);
        ERC1155Utils.checkOnERC1155Received(msg.sender, address(0), to, id, amount, "");
    }

    /// @dev Checks the cap and records `amount` more units for each of `count` recipients.
    function _reserveSupply(uint256 id, TokenType memory t, uint256 amount, uint256 count) private {
        if (amount > type(uint64).max) revert AmountTooLarge(amount);
        uint256 total = amount * count; // < 2^128: count is a calldata array length
        uint256 minted = uint256(t.minted) + total;
        if (t.maxSupply != 0 && minted > t.maxSupply) revert MaxSupplyExceeded(id, t.minted, total, t.maxSupply);
        if (minted > type(uint64).max) revert AmountTooLarge(total);
        // Only the counters change; writing them alone keeps this to one storage write.
        TokenType storage stored = _types[id];
        stored.minted = uint64(minted);
        stored.supply = t.supply + uint64(total);
    }

    function _credit(address to, uint256 id, uint256 amount, TokenType memory t) private {
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        Holding storage h = _holding(id, to);
        if (t.kind == Kind.Membership) {
            if (amount != 1) revert InvalidMembershipAmount(id, amount);
            if (h.balance != 0) revert MembershipAlreadyHeld(to, id);
            uint64 expiry = t.duration == 0 ? NEVER_EXPIRES : uint64(block.timestamp) + t.duration;
            _writeHolding(h, 1, expiry);
            emit MembershipExtended(to, id, expiry);
        } else {
            // Bounded by the type's uint64 supply, checked in _reserveSupply.
            h.balance += uint192(amount);
        }
    }

    function _burn(address from, uint256 id, uint256 amount, TokenType memory t) private {
        Holding storage h = _holding(id, from);
        uint256 balance = h.balance;
        if (balance < amount) revert ERC1155InsufficientBalance(from, balance, amount, id);
        unchecked {
            uint256 left = balance - amount;
            // A membership's expiry goes with its last unit, so a later mint starts afresh.
            _writeHolding(h, uint192(left), left == 0 ? 0 : h.expiresAt);
            _types[id].supply = t.supply - uint64(amount);
        }
        emit TransferSingle(msg.sender, from, address(0), id, amount);
    }

    function _extendBy(address holder, uint256 id, uint256 extra) private {
        Holding storage h = _holding(id, holder);
        if (h.balance == 0) revert NotAMember(holder, id);
        uint256 start = h.expiresAt > block.timestamp ? h.expiresAt : block.timestamp;
        uint256 expiry = start + extra;
        if (expiry >= NEVER_EXPIRES) revert AmountTooLarge(extra);
        h.expiresAt = uint64(expiry);
        emit MembershipExtended(holder, id, uint64(expiry));
    }

    function _pay(uint256 amount) private {
        address to = _treasury;
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TreasuryPaymentFailed(to, amount);
    }

    function _existingType(uint256 id) private view returns (TokenType memory t) {
        t = _types[id];
        if (t.kind == Kind.None) revert UnknownTokenType(id);
    }

    /// @dev An existing type that is not paused.
    function _activeType(uint256 id) private view returns (TokenType memory t) {
        t = _existingType(id);
        if (t.paused) revert EnforcedPause();
    }

    function _membershipType(uint256 id) private view returns (TokenType memory t) {
        t = _activeType(id);
        if (t.kind != Kind.Membership) revert NotAMembership(id);
    }

    function _mirrorPause(bool isPaused) private {
        uint256 count = _typeCount;
        for (uint256 id = 1; id <= count; ++id) {
            _types[id].paused = isPaused;
        }
    }

    function _isVoucherSigner(address signer) internal view override returns (bool) {
        return hasRole(MINTER_ROLE, signer);
    }
}
