// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Long because an invariant handler must hold every action a fuzzer may take on the collection,
// with the ghost state that checks it, in one contract.

// Test scaffolding: Foundry-style names, and many ghost variables by design.
// solhint-disable const-name-snakecase, immutable-vars-naming, max-states-count

import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {StampbookCollection} from "../../StampbookCollection.sol";
import {IStampbookCollection} from "../../interfaces/IStampbookCollection.sol";
import {Vm, VM_ADDRESS} from "../utils/Vm.sol";
import {BoundLib} from "../utils/TestBase.sol";

/// @title Invariant-test handler for StampbookCollection
/// @notice The invariant runner calls this contract's public actions with random arguments. Each action bounds
///         its inputs, predicts the outcome (success, or the exact revert data) from a ghost model of the
///         collection, performs the call as one of a few fixed EOA actors, and then updates the ghost model
///         from what really happened. The invariant tests compare the collection against the model.
/// @dev The handler deploys the collection, so it holds DEFAULT_ADMIN_ROLE, MINTER_ROLE and PAUSER_ROLE and is the
///      issuing minter; a separate key (`SIGNER_PK`) also gets MINTER_ROLE to sign claim vouchers and sometimes
///      mint. Actions move the issuing minter between the two (or to none) and revoke and grant the signer's
///      role, so every minter path runs with and without the issuing-minter shortcut.
contract StampbookHandler {
    using BoundLib for uint256;

    Vm internal constant vm = Vm(VM_ADDRESS);

    uint256 public constant SIGNER_PK = 0x5157_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0001;
    uint256 public constant OUTSIDER_PK = 0xBAD;
    uint256 public constant ACTOR_COUNT = 5;
    uint256 public constant TYPE_COUNT = 5;
    uint256 public constant UID_POOL = 8;
    uint128 public constant POINTS = 7; // every type's points
    bytes32 internal constant MINTER_ROLE = keccak256("MINTER_ROLE");

    // Token type ids, in creation order.
    uint256 public constant CAPPED = 1; // capped, transferable collectible
    uint256 public constant CONSUMABLE = 2; // uncapped, consumable collectible
    uint256 public constant SOULBOUND = 3; // capped, soulbound collectible
    uint256 public constant MEMBERSHIP = 4; // expiring, transferable, paid-renewable membership
    uint256 public constant LIFETIME = 5; // never-expiring soulbound membership

    uint64 public constant CAPPED_MAX = 100;
    uint64 public constant SOULBOUND_MAX = 40;
    uint32 public constant MEMBERSHIP_DURATION = 30 days;
    uint128 public constant RENEWAL_PRICE = 0.01 ether;
    uint64 internal constant NEVER_EXPIRES = type(uint64).max;

    StampbookCollection public immutable collection;
    address public immutable signer;
    address public immutable outsider;
    address public immutable treasury;

    address[] internal _actors;
    uint256 public currentTime;

    // ------------------------------------------------------------ ghost model
    bool public ghostPaused;
    address public ghostIssuingMinter;
    bool public ghostSignerIsMinter;
    mapping(uint256 id => uint256) public ghostMinted;
    mapping(uint256 id => uint256) public ghostBurned;
    /// @dev Mirror of every actor's balance. For soulbound types it changes only on mint and burn, so a unit
    ///      that moved to another holder shows up as a mismatch with `balanceOf`.
    mapping(uint256 id => mapping(address holder => uint256)) public ghostBalance;
    mapping(uint256 id => mapping(address holder => uint64)) public ghostExpiry;
    mapping(address holder => mapping(address operator => bool)) public ghostApproved;

    uint256 public ghostSoulboundTransferAttempts;
    uint256 public ghostSoulboundMoves;
    uint256 public ghostSoulboundWrongReverts;

    bytes32[] internal _usedUids;
    mapping(bytes32 uid => bool) public ghostUidUsed;
    uint256 public ghostClaimAttempts;
    uint256 public ghostSuccessfulClaims;
    uint256 public ghostReplayAttempts;
    uint256 public ghostReplaySuccesses;

    /// @notice Calls whose outcome (success, or revert data) differed from the model's prediction, and the
    ///         first of them: action, predicted revert data (empty = success), actual outcome, handler time.
    uint256 public ghostUnexpectedOutcomes;
    bytes32 public firstUnexpectedAction;
    bytes public firstUnexpectedExpected;
    bytes public firstUnexpectedActual;
    bool public firstUnexpectedSucceeded;
    uint256 public firstUnexpectedTime;

    /// @notice Per-action call and success counts, for coverage sanity checks.
    mapping(bytes32 action => uint256) public calls;
    mapping(bytes32 action => uint256) public successes;

    constructor() {
        treasury = vm.addr(0x7EA5);
        signer = vm.addr(SIGNER_PK);
        outsider = vm.addr(OUTSIDER_PK);
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            address actor = vm.addr(0xA0 + i);
            _actors.push(actor);
            vm.label(actor, string.concat("actor", vm.toString(i)));
        }
        currentTime = 1_750_000_000;
        vm.warp(currentTime);

        collection = new StampbookCollection("Stampbook", "STAMP", address(this), treasury, "ipfs://collection", 500);
        collection.grantRole(MINTER_ROLE, signer);
        ghostIssuingMinter = address(this);
        ghostSignerIsMinter = true;
        _create(IStampbookCollection.Kind.Collectible, CAPPED_MAX, 0, false, false, 0);
        _create(IStampbookCollection.Kind.Collectible, 0, 0, false, true, 0);
        _create(IStampbookCollection.Kind.Collectible, SOULBOUND_MAX, 0, true, false, 0);
        _create(IStampbookCollection.Kind.Membership, 0, MEMBERSHIP_DURATION, false, false, RENEWAL_PRICE);
        _create(IStampbookCollection.Kind.Membership, 0, 0, true, false, 0);
    }

    function _create(IStampbookCollection.Kind kind, uint64 max, uint32 duration, bool soulbound, bool consumable, uint128 price)
        private
    {
        collection.createTokenType(
            IStampbookCollection.TokenTypeConfig(kind, max, duration, soulbound, consumable, price, POINTS, "ipfs://t")
        );
    }

    modifier atCurrentTime() {
        // Re-apply the handler's clock on every call, whether or not the runner keeps warps between calls.
        vm.warp(currentTime);
        _;
    }

    // ------------------------------------------------------------ views for the invariant tests

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function usedUids() external view returns (bytes32[] memory) {
        return _usedUids;
    }

    function uidAt(uint256 index) public pure returns (bytes32) {
        return keccak256(abi.encode("stampbook-uid", index % UID_POOL));
    }

    /// @notice The model's loyalty points of `holder`: 7 a unit held, memberships only until they expire.
    function ghostPoints(address holder) external view returns (uint256 points) {
        for (uint256 id = 1; id <= TYPE_COUNT; ++id) {
            if (isMembership(id) && ghostExpiry[id][holder] <= block.timestamp) continue;
            points += ghostBalance[id][holder] * POINTS;
        }
    }

    function isSoulbound(uint256 id) public pure returns (bool) {
        return id == SOULBOUND || id == LIFETIME;
    }

    function isMembership(uint256 id) public pure returns (bool) {
        return id == MEMBERSHIP || id == LIFETIME;
    }

    function maxSupplyOf(uint256 id) public pure returns (uint256) {
        if (id == CAPPED) return CAPPED_MAX;
        if (id == SOULBOUND) return SOULBOUND_MAX;
        return 0;
    }

    // ------------------------------------------------------------ actions

    function warp(uint256 seconds_) external {
        ++calls["warp"];
        // Mostly short hops; sometimes long enough to cross a whole membership period.
        currentTime += seconds_.bound(0, 45 days);
        vm.warp(currentTime);
        ++successes["warp"];
    }

    function togglePause(uint256 seed) external atCurrentTime {
        ++calls["pause"];
        if (ghostPaused) {
            collection.unpause();
            ghostPaused = false;
        } else if (seed % 4 == 0) {
            collection.pause();
            ghostPaused = true;
        }
        ++successes["pause"];
    }

    /// @notice The issuing minter becomes the handler, the signer, an account without MINTER_ROLE (refused) or none.
    function setIssuingMinter(uint256 seed) external atCurrentTime {
        ++calls["issuer"];
        uint256 pick = seed % 4;
        address candidate = pick == 0 ? address(this) : pick == 1 ? signer : pick == 2 ? outsider : address(0);
        bool isMinter = candidate == address(this) || (candidate == signer && ghostSignerIsMinter);
        bytes memory expected;
        if (candidate != address(0) && !isMinter) {
            expected = abi.encodeWithSelector(IStampbookCollection.IssuingMinterLacksRole.selector, candidate);
        }
        try collection.setIssuingMinter(candidate) {
            ghostIssuingMinter = candidate;
            _record("issuer", expected, true, "");
        } catch (bytes memory reason) {
            _record("issuer", expected, false, reason);
        }
    }

    /// @notice Revokes the signer's MINTER_ROLE one call in four (which clears it as issuing minter), or grants it back.
    function toggleSignerRole(uint256 seed) external atCurrentTime {
        ++calls["signerRole"];
        if (!ghostSignerIsMinter) {
            collection.grantRole(MINTER_ROLE, signer);
            ghostSignerIsMinter = true;
        } else if (seed % 4 == 0) {
            collection.revokeRole(MINTER_ROLE, signer);
            ghostSignerIsMinter = false;
            if (ghostIssuingMinter == signer) ghostIssuingMinter = address(0);
        }
        ++successes["signerRole"];
    }

    /// @dev Minted by the handler, or one call in four by the signer (who may have lost MINTER_ROLE).
    function mint(uint256 actorSeed, uint256 typeSeed, uint256 amountSeed) external atCurrentTime {
        ++calls["mint"];
        address to = _actor(actorSeed);
        uint256 id = _type(typeSeed);
        uint256 amount = _amount(id, amountSeed);
        address[] memory recipients = new address[](1);
        recipients[0] = to;
        bool bySigner = (amountSeed >> 128) % 4 == 0;
        bytes memory expected = bySigner && !ghostSignerIsMinter
            ? abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, signer, MINTER_ROLE)
            : _predictMint(id, recipients, amount);
        if (bySigner) vm.prank(signer);
        try collection.mint(to, id, amount) {
            _onMinted(id, recipients, amount);
            _record("mint", expected, true, "");
        } catch (bytes memory reason) {
            _record("mint", expected, false, reason);
        }
    }

    function airdrop(uint256 recipientsSeed, uint256 typeSeed, uint256 amountSeed) external atCurrentTime {
        ++calls["airdrop"];
        uint256 id = _type(typeSeed);
        uint256 amount = _amount(id, amountSeed);
        uint256 count = (recipientsSeed % 4) + 1;
        address[] memory recipients = new address[](count);
        for (uint256 i; i < count; ++i) {
            // Consecutive bytes of the seed pick recipients, so duplicates happen.
            recipients[i] = _actor(recipientsSeed >> (8 * (i + 1)));
        }
        bytes memory expected = _predictMint(id, recipients, amount);
        try collection.airdrop(id, recipients, amount) {
            _onMinted(id, recipients, amount);
            _record("airdrop", expected, true, "");
        } catch (bytes memory reason) {
            _record("airdrop", expected, false, reason);
        }
    }

    /// @param uidSeed Picks the voucher uid from a small pool, so replays of used uids are frequent.
    /// @param windowSeed Picks a validity window that is open, not yet open, or closed.
    function claim(
        uint256 actorSeed,
        uint256 submitterSeed,
        uint256 typeSeed,
        uint256 amountSeed,
        uint256 uidSeed,
        uint256 windowSeed,
        bool paid
    ) external atCurrentTime {
        ++calls["claim"];
        ++ghostClaimAttempts;
        IStampbookCollection.ClaimVoucher memory voucher;
        voucher.to = _actor(actorSeed);
        voucher.id = _type(typeSeed);
        voucher.amount = _amount(voucher.id, amountSeed);
        voucher.uid = uidAt(uidSeed);
        voucher.price = paid ? 0.001 ether : 0;
        (voucher.validAfter, voucher.validUntil) = _window(windowSeed);
        bool byOutsider = windowSeed % 16 == 15;
        uint256 key = byOutsider ? OUTSIDER_PK : SIGNER_PK;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, collection.hashClaimVoucher(voucher));
        bytes32 vs = bytes32(uint256(s) | (uint256(v - 27) << 255));

        bytes memory expected = _predictClaim(voucher, byOutsider);
        bool replay = ghostUidUsed[voucher.uid];
        if (replay) ++ghostReplayAttempts;

        address submitter = _actor(submitterSeed);
        vm.deal(submitter, voucher.price);
        vm.prank(submitter);
        try collection.claim{value: voucher.price}(voucher, r, vs) {
            address[] memory recipients = new address[](1);
            recipients[0] = voucher.to;
            _onMinted(voucher.id, recipients, voucher.amount);
            ++ghostSuccessfulClaims;
            if (replay) ++ghostReplaySuccesses;
            if (!ghostUidUsed[voucher.uid]) {
                ghostUidUsed[voucher.uid] = true;
                _usedUids.push(voucher.uid);
            }
            _record("claim", expected, true, "");
        } catch (bytes memory reason) {
            _record("claim", expected, false, reason);
        }
    }

    function setApproval(uint256 holderSeed, uint256 operatorSeed, bool approved) external atCurrentTime {
        ++calls["approve"];
        address holder = _actor(holderSeed);
        address operator = _actor(operatorSeed);
        vm.prank(holder);
        collection.setApprovalForAll(operator, approved);
        ghostApproved[holder][operator] = approved;
        ++successes["approve"];
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 typeSeed, uint256 amountSeed, uint256 operatorSeed)
        external
        atCurrentTime
    {
        ++calls["transfer"];
        uint256 id = _type(typeSeed);
        address from = _holderOf(id, fromSeed);
        address to = _actor(toSeed);
        uint256 amount = _transferAmount(id, from, amountSeed);
        // One call in four goes through an operator, usually one the holder approved.
        address caller = operatorSeed % 4 == 0 ? _operatorFor(from, operatorSeed >> 8) : from;

        bytes memory expected = _predictApproval(caller, from);
        if (expected.length == 0) expected = _predictTransfer(from, to, id, amount);
        if (isSoulbound(id)) ++ghostSoulboundTransferAttempts;

        vm.prank(caller);
        try collection.safeTransferFrom(from, to, id, amount, "") {
            _onTransferred(from, to, id, amount);
            _record("transfer", expected, true, "");
        } catch (bytes memory reason) {
            _checkSoulboundRevert(id, caller, from, reason);
            _record("transfer", expected, false, reason);
        }
    }

    /// @dev Two distinct ids in one batch, so a soulbound id can hide behind a transferable one.
    function transferBatch(uint256 fromSeed, uint256 toSeed, uint256 typeSeed, uint256 amountSeedA, uint256 amountSeedB)
        external
        atCurrentTime
    {
        ++calls["batch"];
        uint256[] memory ids = new uint256[](2);
        uint256[] memory amounts = new uint256[](2);
        ids[0] = _type(typeSeed);
        ids[1] = _type((typeSeed % TYPE_COUNT) + 1 + ((typeSeed >> 8) % (TYPE_COUNT - 1)));
        address from = _holderOf(ids[1], fromSeed);
        address to = _actor(toSeed);
        amounts[0] = _transferAmount(ids[0], from, amountSeedA);
        amounts[1] = _transferAmount(ids[1], from, amountSeedB);

        bytes memory expected = _predictTransfer(from, to, ids[0], amounts[0]);
        if (expected.length == 0) expected = _predictTransfer(from, to, ids[1], amounts[1]);
        bool touchesSoulbound = isSoulbound(ids[0]) || isSoulbound(ids[1]);
        if (touchesSoulbound) ++ghostSoulboundTransferAttempts;

        vm.prank(from);
        try collection.safeBatchTransferFrom(from, to, ids, amounts, "") {
            _onTransferred(from, to, ids[0], amounts[0]);
            _onTransferred(from, to, ids[1], amounts[1]);
            _record("batch", expected, true, "");
        } catch (bytes memory reason) {
            // The first soulbound id in the batch, if reached before any other failure, names the refusal.
            if (touchesSoulbound && !ghostPaused) {
                uint256 soulboundId = isSoulbound(ids[0]) ? ids[0] : ids[1];
                bool firstFailsOtherwise = !isSoulbound(ids[0]) && _predictTransfer(from, to, ids[0], amounts[0]).length != 0;
                if (!firstFailsOtherwise && keccak256(reason) != keccak256(_soulboundError(soulboundId))) {
                    ++ghostSoulboundWrongReverts;
                }
            }
            _record("batch", expected, false, reason);
        }
    }

    function burn(uint256 holderSeed, uint256 typeSeed, uint256 amountSeed, uint256 operatorSeed) external atCurrentTime {
        ++calls["burn"];
        uint256 id = _type(typeSeed);
        address from = _holderOf(id, holderSeed);
        uint256 amount = _burnAmount(id, from, amountSeed);
        address caller = operatorSeed % 4 == 0 ? _operatorFor(from, operatorSeed >> 8) : from;

        bytes memory expected = _predictApproval(caller, from);
        if (expected.length == 0) expected = _predictBurn(from, id, amount);

        vm.prank(caller);
        try collection.burn(from, id, amount) {
            _onBurned(from, id, amount);
            _record("burn", expected, true, "");
        } catch (bytes memory reason) {
            _record("burn", expected, false, reason);
        }
    }

    function redeem(uint256 holderSeed, uint256 typeSeed, uint256 amountSeed) external atCurrentTime {
        ++calls["redeem"];
        // Mostly the consumable type; sometimes another one, which must refuse.
        uint256 id = typeSeed % 4 == 0 ? _type(typeSeed >> 8) : CONSUMABLE;
        address holder = _holderOf(id, holderSeed);
        uint256 amount = _burnAmount(id, holder, amountSeed);

        bytes memory expected;
        if (ghostPaused) expected = abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        else if (id != CONSUMABLE) expected = abi.encodeWithSelector(IStampbookCollection.NotConsumable.selector, id);
        else expected = _predictBurn(holder, id, amount);

        vm.prank(holder);
        try collection.redeem(id, amount, keccak256(abi.encode(holderSeed))) {
            _onBurned(holder, id, amount);
            _record("redeem", expected, true, "");
        } catch (bytes memory reason) {
            _record("redeem", expected, false, reason);
        }
    }

    /// @notice Paid renewal by any actor (often not the holder).
    function renew(uint256 holderSeed, uint256 payerSeed, uint256 typeSeed, uint256 periodsSeed) external atCurrentTime {
        ++calls["renew"];
        uint256 id = typeSeed % 4 == 0 ? _type(typeSeed >> 8) : MEMBERSHIP;
        address holder = _holderOf(id, holderSeed);
        address payer = _actor(payerSeed);
        uint32 periods = uint32(periodsSeed % 4); // 0 must be refused
        uint256 price = uint256(id == MEMBERSHIP ? RENEWAL_PRICE : 0) * periods;

        bytes memory expected = _predictRenewal(holder, id, periods, true);
        uint64 newExpiry = _renewedExpiry(holder, id, periods);

        vm.deal(payer, price);
        vm.prank(payer);
        try collection.renew{value: price}(holder, id, periods) {
            ghostExpiry[id][holder] = newExpiry;
            _record("renew", expected, true, "");
        } catch (bytes memory reason) {
            _record("renew", expected, false, reason);
        }
    }

    /// @notice Free renewal by the brand.
    function renewFor(uint256 holderSeed, uint256 typeSeed, uint256 periodsSeed) external atCurrentTime {
        ++calls["renewFor"];
        uint256 id = typeSeed % 4 == 0 ? _type(typeSeed >> 8) : MEMBERSHIP;
        address holder = _holderOf(id, holderSeed);
        uint32 periods = uint32(periodsSeed % 4);

        bytes memory expected = _predictRenewal(holder, id, periods, false);
        uint64 newExpiry = _renewedExpiry(holder, id, periods);

        try collection.renewFor(holder, id, periods) {
            ghostExpiry[id][holder] = newExpiry;
            _record("renewFor", expected, true, "");
        } catch (bytes memory reason) {
            _record("renewFor", expected, false, reason);
        }
    }

    /// @notice The brand moves an expiry to a chosen time, which may still be in the past.
    function extendMembership(uint256 holderSeed, uint256 typeSeed, uint256 deltaSeed) external atCurrentTime {
        ++calls["extend"];
        uint256 id = typeSeed % 4 == 0 ? _type(typeSeed >> 8) : MEMBERSHIP;
        address holder = _holderOf(id, holderSeed);
        uint64 current = ghostExpiry[id][holder];
        // Usually later than the current expiry; one call in eight asks for no change, which must be refused.
        uint64 target = deltaSeed % 8 == 0 ? current : uint64(_saturatingAdd(current, deltaSeed.bound(1, 60 days)));

        bytes memory expected;
        if (ghostPaused) expected = abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        else if (!isMembership(id)) expected = abi.encodeWithSelector(IStampbookCollection.NotAMembership.selector, id);
        else if (id == LIFETIME) expected = abi.encodeWithSelector(IStampbookCollection.MembershipNotRenewable.selector, id);
        else if (ghostBalance[id][holder] == 0) expected = abi.encodeWithSelector(IStampbookCollection.NotAMember.selector, holder, id);
        else if (target <= current) expected = abi.encodeWithSelector(IStampbookCollection.ExpiryNotLater.selector, current, target);

        try collection.extendMembership(holder, id, target) {
            ghostExpiry[id][holder] = target;
            _record("extend", expected, true, "");
        } catch (bytes memory reason) {
            _record("extend", expected, false, reason);
        }
    }

    // ------------------------------------------------------------ input shaping

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % ACTOR_COUNT];
    }

    /// @dev Usually an actor who holds some `id` (searching from the seeded one), so moves and burns mostly
    ///      act on real units; one call in eight keeps the seeded actor whatever it holds.
    function _holderOf(uint256 id, uint256 seed) internal view returns (address) {
        if ((seed >> 128) % 8 == 0) return _actor(seed);
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            address candidate = _actor((seed % ACTOR_COUNT) + i);
            if (ghostBalance[id][candidate] != 0) return candidate;
        }
        return _actor(seed);
    }

    /// @dev Two calls in three an operator `holder` approved, if any; otherwise any actor.
    function _operatorFor(address holder, uint256 seed) internal view returns (address) {
        if (seed % 3 != 0) {
            for (uint256 i; i < ACTOR_COUNT; ++i) {
                address candidate = _actor((seed % ACTOR_COUNT) + i);
                if (ghostApproved[holder][candidate]) return candidate;
            }
        }
        return _actor(seed >> 8);
    }

    function _type(uint256 seed) internal pure returns (uint256) {
        return (seed % TYPE_COUNT) + 1;
    }

    function _amount(uint256 id, uint256 seed) internal pure returns (uint256) {
        // Memberships: one at a time, with an occasional invalid 0 or 2. Collectibles: 0 to 30 units.
        if (isMembership(id)) return seed % 8 == 0 ? ((seed >> 8) % 2 == 0 ? 0 : 2) : 1;
        return seed.bound(0, 30);
    }

    function _transferAmount(uint256 id, address from, uint256 seed) internal view returns (uint256) {
        if (isMembership(id)) return seed % 8 == 0 ? (seed >> 8) % 3 : 1;
        // Usually within the holder's balance, sometimes above it.
        uint256 balance = ghostBalance[id][from];
        return seed.bound(0, balance + (seed % 5 == 0 ? 5 : 0));
    }

    function _burnAmount(uint256 id, address from, uint256 seed) internal view returns (uint256) {
        return _transferAmount(id, from, seed);
    }

    function _window(uint256 seed) internal view returns (uint64 validAfter, uint64 validUntil) {
        uint64 nowTime = uint64(currentTime);
        uint256 mode = seed % 16;
        uint64 span = uint64((seed >> 8).bound(0, 7 days));
        if (mode == 0) return (nowTime + 1 + span, nowTime + 2 days + span); // not yet valid
        if (mode == 1) return (nowTime - 3 days, nowTime - 1 - span); // expired
        if (mode == 2) return (nowTime, nowTime); // both edges are inclusive
        return (nowTime - span, nowTime + span);
    }

    function _saturatingAdd(uint64 a, uint256 b) internal pure returns (uint256) {
        uint256 sum = uint256(a) + b;
        return sum > NEVER_EXPIRES ? NEVER_EXPIRES : sum;
    }

    // ------------------------------------------------------------ outcome predictions (empty = success)

    function _predictMint(uint256 id, address[] memory recipients, uint256 amount) internal view returns (bytes memory) {
        if (ghostPaused) return abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        uint256 total = amount * recipients.length;
        uint256 max = maxSupplyOf(id);
        if (max != 0 && ghostMinted[id] + total > max) {
            return abi.encodeWithSelector(IStampbookCollection.MaxSupplyExceeded.selector, id, ghostMinted[id], total, max);
        }
        if (!isMembership(id)) return "";
        for (uint256 i; i < recipients.length; ++i) {
            if (amount != 1) return abi.encodeWithSelector(IStampbookCollection.InvalidMembershipAmount.selector, id, amount);
            bool held = ghostBalance[id][recipients[i]] != 0;
            for (uint256 j; j < i; ++j) held = held || recipients[j] == recipients[i];
            if (held) return abi.encodeWithSelector(IStampbookCollection.MembershipAlreadyHeld.selector, recipients[i], id);
        }
        return "";
    }

    function _predictClaim(IStampbookCollection.ClaimVoucher memory voucher, bool byOutsider) internal view returns (bytes memory) {
        if (currentTime < voucher.validAfter) {
            return abi.encodeWithSelector(IStampbookCollection.VoucherNotYetValid.selector, voucher.validAfter, currentTime);
        }
        if (currentTime > voucher.validUntil) {
            return abi.encodeWithSelector(IStampbookCollection.VoucherExpired.selector, voucher.validUntil, currentTime);
        }
        if (ghostUidUsed[voucher.uid]) return abi.encodeWithSelector(IStampbookCollection.VoucherAlreadyUsed.selector, voucher.uid);
        if (byOutsider) return abi.encodeWithSelector(IStampbookCollection.VoucherSignerUnauthorized.selector, outsider);
        if (!ghostSignerIsMinter) return abi.encodeWithSelector(IStampbookCollection.VoucherSignerUnauthorized.selector, signer);
        address[] memory recipients = new address[](1);
        recipients[0] = voucher.to;
        return _predictMint(voucher.id, recipients, voucher.amount);
    }

    function _predictApproval(address caller, address from) internal view returns (bytes memory) {
        if (caller != from && !ghostApproved[from][caller]) {
            return abi.encodeWithSelector(IERC1155Errors.ERC1155MissingApprovalForAll.selector, caller, from);
        }
        return "";
    }

    function _predictTransfer(address from, address to, uint256 id, uint256 amount) internal view returns (bytes memory) {
        if (ghostPaused) return abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        if (isSoulbound(id)) return _soulboundError(id);
        uint256 balance = ghostBalance[id][from];
        if (isMembership(id) && amount != 0) {
            if (amount != 1) return abi.encodeWithSelector(IStampbookCollection.InvalidMembershipAmount.selector, id, amount);
            if (balance == 0) return abi.encodeWithSelector(IERC1155Errors.ERC1155InsufficientBalance.selector, from, 0, 1, id);
            if (from == to) return ""; // sending to oneself changes nothing
            if (ghostBalance[id][to] != 0) return abi.encodeWithSelector(IStampbookCollection.MembershipAlreadyHeld.selector, to, id);
            return "";
        }
        if (balance < amount) return abi.encodeWithSelector(IERC1155Errors.ERC1155InsufficientBalance.selector, from, balance, amount, id);
        return "";
    }

    function _predictBurn(address from, uint256 id, uint256 amount) internal view returns (bytes memory) {
        if (ghostPaused) return abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        uint256 balance = ghostBalance[id][from];
        if (balance < amount) return abi.encodeWithSelector(IERC1155Errors.ERC1155InsufficientBalance.selector, from, balance, amount, id);
        return "";
    }

    function _predictRenewal(address holder, uint256 id, uint32 periods, bool paid) internal view returns (bytes memory) {
        if (ghostPaused) return abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        if (!isMembership(id)) return abi.encodeWithSelector(IStampbookCollection.NotAMembership.selector, id);
        if (paid) {
            if (periods == 0) return abi.encodeWithSelector(IStampbookCollection.ZeroRenewalPeriods.selector);
            if (id == LIFETIME) return abi.encodeWithSelector(IStampbookCollection.MembershipNotRenewable.selector, id);
        } else {
            if (id == LIFETIME) return abi.encodeWithSelector(IStampbookCollection.MembershipNotRenewable.selector, id);
            if (periods == 0) return abi.encodeWithSelector(IStampbookCollection.ZeroRenewalPeriods.selector);
        }
        if (ghostBalance[id][holder] == 0) return abi.encodeWithSelector(IStampbookCollection.NotAMember.selector, holder, id);
        return "";
    }

    /// @dev The model's renewal rule: time is added to the later of now and the current expiry.
    function _renewedExpiry(address holder, uint256 id, uint32 periods) internal view returns (uint64) {
        uint256 current = ghostExpiry[id][holder];
        uint256 start = current > currentTime ? current : currentTime;
        return uint64(_saturatingAdd(uint64(start), uint256(MEMBERSHIP_DURATION) * periods));
    }

    function _soulboundError(uint256 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IStampbookCollection.SoulboundTransferRefused.selector, id);
    }

    // ------------------------------------------------------------ ghost updates

    function _onMinted(uint256 id, address[] memory recipients, uint256 amount) internal {
        ghostMinted[id] += amount * recipients.length;
        for (uint256 i; i < recipients.length; ++i) {
            ghostBalance[id][recipients[i]] += amount;
            if (isMembership(id)) {
                ghostExpiry[id][recipients[i]] = id == LIFETIME ? NEVER_EXPIRES : uint64(currentTime + MEMBERSHIP_DURATION);
            }
        }
    }

    function _onTransferred(address from, address to, uint256 id, uint256 amount) internal {
        if (isSoulbound(id)) {
            // Never update the model for a soulbound move: the balance mismatch is the evidence.
            ++ghostSoulboundMoves;
            return;
        }
        if (isMembership(id) && amount != 0) {
            if (from == to) return;
            ghostBalance[id][to] = 1;
            ghostExpiry[id][to] = ghostExpiry[id][from];
            ghostBalance[id][from] = 0;
            ghostExpiry[id][from] = 0;
            return;
        }
        ghostBalance[id][from] -= amount;
        ghostBalance[id][to] += amount;
    }

    function _onBurned(address from, uint256 id, uint256 amount) internal {
        ghostBurned[id] += amount;
        ghostBalance[id][from] -= amount;
        if (ghostBalance[id][from] == 0) ghostExpiry[id][from] = 0;
    }

    function _checkSoulboundRevert(uint256 id, address caller, address from, bytes memory reason) internal {
        if (!isSoulbound(id) || ghostPaused || caller != from) return;
        if (keccak256(reason) != keccak256(_soulboundError(id))) ++ghostSoulboundWrongReverts;
    }

    function _record(bytes32 action, bytes memory expected, bool succeeded, bytes memory reason) internal {
        if (succeeded) ++successes[action];
        bool asPredicted = succeeded ? expected.length == 0 : (expected.length != 0 && keccak256(expected) == keccak256(reason));
        if (asPredicted) return;
        if (++ghostUnexpectedOutcomes == 1) {
            firstUnexpectedAction = action;
            firstUnexpectedExpected = expected;
            firstUnexpectedActual = succeeded ? bytes("") : reason;
            firstUnexpectedSucceeded = succeeded;
            firstUnexpectedTime = currentTime;
        }
    }

    receive() external payable {}
}

/// @notice The handler's first mispredicted call, as text for an assertion message.
function describeFirstUnexpected(StampbookHandler handler) view returns (string memory) {
    bytes32 action = handler.firstUnexpectedAction();
    uint256 len;
    while (len < 32 && action[len] != 0) ++len;
    bytes memory name = new bytes(len);
    for (uint256 i; i < len; ++i) name[i] = action[i];
    bytes memory expected = handler.firstUnexpectedExpected();
    bytes memory actual = handler.firstUnexpectedActual();
    return string.concat(
        "first mispredicted call: ",
        string(name),
        " at t=",
        Vm(VM_ADDRESS).toString(handler.firstUnexpectedTime()),
        "; expected ",
        expected.length == 0 ? "success" : Vm(VM_ADDRESS).toString(expected),
        ", got ",
        handler.firstUnexpectedSucceeded() ? "success" : Vm(VM_ADDRESS).toString(actual)
    );
}
