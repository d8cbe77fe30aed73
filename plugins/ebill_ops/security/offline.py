"""The offline weak-password test: try the candidates against one stored hash.

Cost is accounts × candidates hashes (each salt is per account, nothing can be shared across
accounts); fast digests get every candidate, slow ones (PBKDF2, SCRAM) only the head of the list
(``slow_hash_max_candidates``, fewer for costly ones: ``slow_hash_max_work``). The answer is the
set of rules that matched — never the password.
"""

from __future__ import annotations

from dataclasses import dataclass

from ebill_ops.security.candidates import CandidateSet, Rules
from ebill_ops.security.settings import WeakPasswordRules
from ebill_ops.security.verifiers import UnsupportedHash, Verifier


@dataclass(frozen=True)
class Result:
    rules: Rules  # empty: no candidate matched
    tried: int  # candidates hashed
    limited: bool  # a slow hash ran out of its budget: only the head of the list was tried

    @property
    def weak(self) -> bool:
        return bool(self.rules)


def slow_budget(verifier: Verifier, rules: WeakPasswordRules) -> int | None:
    """Candidates a slow hash may cost: ``slow_hash_max_candidates``, fewer when each one costs
    many iterations (``slow_hash_max_work`` per account); None for fast hashes (no limit)."""
    if not verifier.slow:
        return None
    budget = min(rules.slow_hash_max_candidates, rules.slow_hash_max_work // verifier.iterations)
    if budget < 1:
        raise UnsupportedHash(
            f"{verifier.iterations:,} iterations: one candidate costs more than "
            f"security.weak.slow_hash_max_work ({rules.slow_hash_max_work:,})"
        )
    return budget


def try_candidates(verifier: Verifier, login: str, candidates: CandidateSet) -> Result:
    """Try the login's own patterns first, then the shared candidates (list order).

    A slow hash within its budget gets the head of both: half the budget for the login's own
    patterns, the rest for the head of the list (so ``123456`` is tried even on a tight budget).
    ``UnsupportedHash`` when not even one candidate fits the budget.
    A candidate both patterns produce is hashed twice (about 2 % of the work) rather than
    filtering the shared list per account, which would cost more than it saves.
    """
    own = candidates.for_login(login)
    own_list = list(own)
    shared = candidates.shared_bytes
    budget = slow_budget(verifier, candidates.rules)
    if budget is not None:
        own_list = own_list[: max((budget + 1) // 2, budget - len(shared))]
        shared = shared[: budget - len(own_list)]
    hit = verifier.first_match(own_list)
    if hit is not None:
        candidate = own_list[hit]
        return Result(own[candidate] | candidates.shared_rules(candidate), hit + 1, False)
    hit = verifier.first_match(shared)
    if hit is not None:
        candidate = shared[hit]
        return Result(
            candidates.shared_rules(candidate) | own.get(candidate, frozenset()),
            len(own_list) + hit + 1,
            False,
        )
    tried = len(own_list) + len(shared)
    limited = budget is not None and tried < len(own) + len(candidates.shared_bytes)
    return Result(frozenset(), tried, limited)
