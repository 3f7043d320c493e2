"""The shape every app's rule book (``<app>/policies.py``) takes: named actions, each with its rule and the
message a refused person reads.

    rules = RuleBook({
        "edit_listing": Rule(lambda user, program: ..., "Only the program's claimers ... can edit it."),
    })
    can, check = rules.can, rules.check

``can(user, action, obj)`` answers (views, templates through the view's context, serializers); ``check`` raises
``core.errors.NotAllowed`` with the message (services; the web answers 403, the API 403, FHIR an
OperationOutcome 403). Referrals keep their own richer form (referrals.policies.ReferralAccess), which reads a
person's parties on a referral once for every question a page asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NotAllowed


@dataclass(frozen=True)
class Rule:
    allows: object  # (user, obj) -> bool, or (user) -> bool for actions on no object
    refusal: object  # the message, or (obj) -> the message


class RuleBook:
    def __init__(self, rules: dict[str, Rule]):
        self.rules = rules

    def _rule(self, action: str) -> Rule:
        try:
            return self.rules[action]
        except KeyError:
            raise ValueError(f"no rule for {action!r}; the rules are {', '.join(self.rules)}") from None

    def can(self, user, action: str, obj=None) -> bool:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        rule = self._rule(action)
        return bool(rule.allows(user) if obj is None else rule.allows(user, obj))

    def check(self, user, action: str, obj=None) -> None:
        """Raises NotAllowed with the rule's message when ``user`` may not take ``action`` (on ``obj``)."""
        if not self.can(user, action, obj):
            refusal = self._rule(action).refusal
            raise NotAllowed(refusal(obj) if callable(refusal) else refusal)
