// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Long because it is the one deployed contract: tiers, expiry and renewal, soulbound types,
// vouchers, airdrops and burn-to-redeem share its storage (the holdings and vouchers are already
// apart in token/ and vouchers/).

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
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
///      Pausing: one collection-wide flag in {Control}, so pause() is one storage write whatever the
///      number of types. Every path it stops reads that slot once. The minter-only paths (mint, airdrop,
///      claim, renewFor, extendMembership) get the flag in the same read as the issuing-minter check; a
///      transferable collectible's transfer reads it in place of the type slot, which the holding's
///      `unrestricted` mark makes unneeded (see {_transfer}); burns, redemptions, paid renewals and other
///      transfers pay one more storage read. The interface is OpenZeppelin Pausable's: `paused()`,
///      `Paused`/`Unpaused`, `EnforcedPause`/`ExpectedPause`.
contract StampbookCollection is ERC1155Holdings, ClaimVouchers, AccessControl, ERC2981 {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @dev The fields every mint and burn reads and writes (and every transfer but a transferable
    ///      collectible's reads), packed into one slot.
    struct TokenType {
        Kind kind;
        bool soulbound;
        bool consumable;
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

    /// @dev The collection-wide pause flag, packed with the issuing minter: mint, airdrop, claim, renewFor
    ///      and extendMembership must read both "may the caller (or voucher signer) mint?" and "paused?",
    ///      and for the issuing minter this one slot answers both, where a separate flag would cost
    ///      another cold storage read (2,100 gas) on every mint. Invariant: a non-zero `issuingMinter`
    ///      holds MINTER_ROLE ({setIssuingMinter} checks it, {_revokeRole} clears it), so the shortcut
    ///      never lets anyone mint who could not otherwise.
    struct Control {
        address issuingMinter;
        bool paused;
    }

    uint64 private constant NEVER_EXPIRES = type(uint64).max;

    string private _name;
    string private _symbol;
    string private _contractURI;
    address private _treasury;
    uint256 private _typeCount;
    Control private _control;
    mapping(uint256 id => TokenType) private _types;
    mapping(uint256 id => TokenTerms) private _terms;
    mapping(uint256 id => string) private _uris;

    /// @param name_ Collection name shown by wallets and marketplaces.
    /// @param symbol_ Short symbol.
    /// @param admin Receives DEFAULT_ADMIN_ROLE, MINTER_ROLE and PAUSER_ROLE, and is the issuing minter.
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
        _setIssuingMinter(admin);
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
    ///         Needs MINTER_ROLE.
    function mint(address to, uint256 id, uint256 amount) external {
        _mintOne(to, id, amount, _minterControl(msg.sender));
    }

    /// @notice Mints `amount` units of `id` to every address in `recipients`, in one transaction. Needs MINTER_ROLE.
    function airdrop(uint256 id, address[] calldata recipients, uint256 amount) external {
        bool isPaused = _minterControl(msg.sender);
        uint256 count = recipients.length;
        if (count == 0) revert EmptyAirdrop();
        TokenType memory t = _activeType(id, isPaused);
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
        // A warm read: {_isVoucherSigner} has just read the same slot.
        _mintOne(voucher.to, voucher.id, voucher.amount, _control.paused);
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

    /// @notice What {holdingsOf} returns, plus the loyalty points those holdings are worth now, so a server
    ///         reads a member's holdings and points in one call.
    /// @dev `points` is the sum over `ids` of balance x the type's points (TokenTerms.points). A membership
    ///      counts while active: from its expiry on (expiresAt <= block.timestamp) it counts 0. Unknown ids
    ///      count 0; an id listed twice counts twice.
    /// @return balances Units of each id held by `holder`.
    /// @return expiries Membership expiry of each id (unix seconds; 0 when none is held or for collectibles).
    /// @return points Loyalty points of the holdings listed.
    function standingOf(
        address holder,
        uint256[] calldata ids
    ) external view returns (uint256[] memory balances, uint64[] memory expiries, uint256 points) {
        balances = new uint256[](ids.length);
        expiries = new uint64[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[i];
            Holding memory h = _holding(id, holder);
            balances[i] = h.balance;
            expiries[i] = h.expiresAt;
            if (h.balance == 0) continue; // also every unknown id: none is ever held
            if (_types[id].kind == Kind.Membership && h.expiresAt <= block.timestamp) continue;
            points += h.balance * _terms[id].points;
        }
    }

    /// @notice Renews `holder`'s membership of `id` by `periods` durations, paid by the caller at the type's price.
    /// @dev Time is added to the later of now and the current expiry, so early renewals lose nothing.
    function renew(address holder, uint256 id, uint32 periods) external payable {
        TokenType memory t = _membershipType(id, _control.paused);
        if (periods == 0) revert ZeroRenewalPeriods();
        uint256 price = uint256(_terms[id].renewalPrice) * periods;
        if (price == 0) revert MembershipNotRenewable(id);
        if (msg.value != price) revert IncorrectPayment(price, msg.value);
        _extendBy(holder, id, uint256(t.duration) * periods);
        _pay(msg.value);
    }

    /// @notice The brand renews `holder`'s membership of `id` by `periods` durations, free of charge. Needs MINTER_ROLE.
    function renewFor(address holder, uint256 id, uint32 periods) external {
        TokenType memory t = _membershipType(id, _minterControl(msg.sender));
        if (t.duration == 0) revert MembershipNotRenewable(id);
        if (periods == 0) revert ZeroRenewalPeriods();
        _extendBy(holder, id, uint256(t.duration) * periods);
    }

    /// @notice The brand moves `holder`'s membership expiry of `id` to a later time `newExpiresAt`. Needs MINTER_ROLE.
    function extendMembership(address holder, uint256 id, uint64 newExpiresAt) external {
        TokenType memory t = _membershipType(id, _minterControl(msg.sender));
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
        TokenType memory t = _activeType(id, _control.paused);
        if (!t.consumable) revert NotConsumable(id);
        _burn(msg.sender, id, amount, t);
        emit Redeemed(ref);
    }

    /// @notice Burns `amount` units of `id` held by `from` (the caller or an approved operator).
    function burn(address from, uint256 id, uint256 amount) external {
        if (from != msg.sender && !isApprovedForAll(from, msg.sender)) revert ERC1155MissingApprovalForAll(msg.sender, from);
        _burn(from, id, amount, _activeType(id, _control.paused));
    }

    // ---------------------------------------------------------------- administration

    /// @notice Stops minting, transfers, burns, claims and renewals, of every token type, including types
    ///         created while paused.
    /// @dev One storage write, whatever the number of types.
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_control.paused) revert EnforcedPause();
        _control.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Resumes after {pause}.
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_control.paused) revert ExpectedPause();
        _control.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice Whether the collection is paused.
    function paused() external view returns (bool) {
        return _control.paused;
    }

    /// @notice The issuing minter: the MINTER_ROLE holder whose mints, airdrops, renewals and vouchers cost
    ///         least gas (the zero address: none). Every other MINTER_ROLE holder may do the same, for
    ///         about 2,100 gas more a transaction.
    function issuingMinter() external view returns (address) {
        return _control.issuingMinter;
    }

    /// @notice Makes `minter`, which must hold MINTER_ROLE, the issuing minter; the zero address clears it.
    ///         Revoking or renouncing the issuing minter's MINTER_ROLE clears it too.
    /// @dev Give it to the key that mints most (a brand's server-side minter); the admin has it from deployment.
    function setIssuingMinter(address minter) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (minter != address(0) && !hasRole(MINTER_ROLE, minter)) revert IssuingMinterLacksRole(minter);
        _setIssuingMinter(minter);
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

    /// @dev Pause and type rules on every holder-to-holder move. The sender's holding of a transferable
    ///      collectible is marked `unrestricted` ({_credit} marks it; kind and soulbound never change after
    ///      creation), so such a move reads the pause flag instead of the type slot. Any other holding
    ///      (soulbound, membership, or one that never held units) goes through the type's rules.
    function _transfer(address from, address to, uint256 id, uint256 value) internal override {
        if (_control.paused) revert EnforcedPause();
        Holding storage source = _holding(id, from);
        if (!source.unrestricted) {
            TokenType storage t = _types[id];
            if (t.soulbound) revert SoulboundTransferRefused(id);
            if (t.kind == Kind.Membership && value != 0) {
                Holding storage target = _holding(id, to);
                if (value != 1) revert InvalidMembershipAmount(id, value);
                if (source.balance == 0) revert ERC1155InsufficientBalance(from, 0, 1, id);
                if (from == to) return; // ERC-1155 allows sending to oneself; nothing changes.
                if (target.balance != 0) revert MembershipAlreadyHeld(to, id);
                _writeHolding(target, 1, false, source.expiresAt);
                _writeHolding(source, 0, false, 0);
                return;
            }
        }
        super._transfer(from, to, id, value);
    }

    /// @dev Reverts AccessControlUnauthorizedAccount unless `account` holds MINTER_ROLE, and returns whether
    ///      the collection is paused; for the issuing minter one storage read answers both.
    function _minterControl(address account) private view returns (bool isPaused) {
        Control memory control = _control;
        if (account != control.issuingMinter && !hasRole(MINTER_ROLE, account)) {
            revert AccessControlUnauthorizedAccount(account, MINTER_ROLE);
        }
        return control.paused;
    }

    function _setIssuingMinter(address minter) private {
        _control.issuingMinter = minter;
        emit IssuingMinterSet(minter);
    }

    /// @dev Keeps the issuing minter a MINTER_ROLE holder: losing the role clears it.
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked && role == MINTER_ROLE && account == _control.issuingMinter) _setIssuingMinter(address(0));
    }

    function _mintOne(address to, uint256 id, uint256 amount, bool isPaused) private {
        TokenType memory t = _activeType(id, isPaused);
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
            _writeHolding(h, 1, false, expiry);
            emit MembershipExtended(to, id, expiry);
        } else {
            // Bounded by the type's uint64 supply, checked in _reserveSupply. A transferable collectible's
            // holding is marked unrestricted: its transfers need not read the type (see {_transfer}).
            unchecked {
                _writeHolding(h, h.balance + uint184(amount), !t.soulbound, 0);
            }
        }
    }

    function _burn(address from, uint256 id, uint256 amount, TokenType memory t) private {
        Holding storage h = _holding(id, from);
        uint256 held = _readHolding(h);
        uint256 balance = uint184(held);
        if (balance < amount) revert ERC1155InsufficientBalance(from, balance, amount, id);
        unchecked {
            // amount <= balance, so the subtraction stays within the balance bits. A membership's expiry goes
            // with its last unit, so a later mint starts afresh; the unrestricted mark stays (it is the type's).
            _storeHolding(h, balance == amount ? held & UNRESTRICTED_BIT : held - amount);
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

    /// @dev An existing type, while the collection is not paused (`isPaused` is the caller's read of the
    ///      flag). An unknown id is reported before the pause.
    function _activeType(uint256 id, bool isPaused) private view returns (TokenType memory t) {
        t = _existingType(id);
        if (isPaused) revert EnforcedPause();
    }

    function _membershipType(uint256 id, bool isPaused) private view returns (TokenType memory t) {
        t = _activeType(id, isPaused);
        if (t.kind != Kind.Membership) revert NotAMembership(id);
    }

    /// @dev `signer` comes from ECDSA.recover, which never returns the zero address, so an unset issuing
    ///      minter matches no signer.
    function _isVoucherSigner(address signer) internal view override returns (bool) {
        return signer == _control.issuingMinter || hasRole(MINTER_ROLE, signer);
    }
}
