"""The keyring side of managing users: disabled users, and passphrases the chief reset.

A disabled user keeps their row in the users table (their records still name them) and their
role in keyring.json, but their key wrap is *deleted*: no passphrase of theirs unwraps the data
key any more, so disabling holds even against someone who edits keyring.json (re-enabling means
the chief wraps the key again under a temporary passphrase). Copies of an older keyring.json
still hold the old wrap: only rotating the data key (issue 11 item 3, not done here) closes that.

A user marked `needs_reset` lost their wrap when the data key was sealed anew (`Keyring.reseal`)
while their entry had no public key yet (format 1, not unlocked since the upgrade); the chief's
`reset_passphrase` gives them a temporary one, as for a forgotten passphrase.

A passphrase the chief reset is marked `must_change`: the next unlock with it opens the store
but the services ask for a new passphrase before anything else (services.workspace.unlock).
The mark is a convenience, not a protection (the chief chose the temporary passphrase).

Threading: under `Keyring.locked(home)`, on the store's thread.
"""

from __future__ import annotations

from typing import Any

from fieldkit.domain.errors import AuthError

from .keyring import Keyring


def is_disabled(kr: Keyring, login: str) -> bool:
    u = kr.data["users"].get(login)
    return bool(u and u.get("disabled"))


def needs_reset(kr: Keyring, login: str) -> bool:
    """The data key was rotated while this user's wrap was still format 1 (no public key to seal
    the new key to): no passphrase of theirs opens the store until the chief resets it."""
    u = kr.data["users"].get(login)
    return bool(u and u.get("needs_reset"))


def must_change(kr: Keyring, login: str) -> bool:
    u = kr.data["users"].get(login)
    return bool(u and u.get("must_change"))


def disable(kr: Keyring, login: str) -> None:
    """Drop the user's key wrap; keep their login and role so the chief can enable them again."""
    u = kr.data["users"][login]
    kr.data["users"][login] = {"role": u["role"], "disabled": True}


def mark_must_change(kr: Keyring, login: str) -> None:
    kr.data["users"][login]["must_change"] = True


def states(kr: Keyring) -> dict[str, dict[str, Any]]:
    """login -> {"disabled", "must_change", "needs_reset": bool}, for the users list."""
    return {login: {"disabled": bool(u.get("disabled")), "must_change": bool(u.get("must_change")),
                    "needs_reset": bool(u.get("needs_reset"))}
            for login, u in kr.data["users"].items()}


def disabled_error(login: str) -> AuthError:
    return AuthError(f"用户 {login} 已被所长停用，不能登录；如需恢复使用请找所长",
                     message_en=f"User {login} has been disabled by the chief and cannot unlock; ask the chief",
                     code="user_disabled")


def needs_reset_error(login: str) -> AuthError:
    return AuthError(f"数据密钥已更换，用户 {login} 的口令还未升级，不能登录；请找所长重设口令",
                     message_en=f"The data key was changed before {login}'s passphrase was upgraded; "
                                "ask the chief to reset it",
                     code="needs_reset")
