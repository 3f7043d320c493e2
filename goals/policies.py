"""The rule book of goals: a seeker's goals are added, renamed, closed and reopened by the people who help the
seeker (seekers.policies "change"); which referral a goal holds is the referral's own rule (referrals.policies
"set_goal")."""

from __future__ import annotations

from core.policies import Rule, RuleBook
from seekers import policies as seeker_policies

rules = RuleBook(
    {
        "manage_goals": Rule(
            lambda user, seeker: seeker_policies.can(user, "change", seeker), "You do not help this person."
        ),
    }
)
can, check = rules.can, rules.check
