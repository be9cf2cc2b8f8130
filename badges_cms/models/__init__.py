from .alerts import CredlySyncIncident, CredlyTokenReminder
from .credly import CredlyBadgeTemplate, CredlyIssuanceSnapshot, CredlySyncLock, CredlySyncRun
from .guides import GuideStepBlock, StepGuide
from .issuers import BadgeIssuer
from .pages import BadgeIndexPage, BadgePage, BadgeSkill, TaggedBadgeSkill

__all__ = [
    "BadgeIndexPage",
    "BadgeIssuer",
    "BadgePage",
    "BadgeSkill",
    "CredlyBadgeTemplate",
    "CredlyIssuanceSnapshot",
    "CredlySyncIncident",
    "CredlySyncLock",
    "CredlySyncRun",
    "CredlyTokenReminder",
    "GuideStepBlock",
    "StepGuide",
    "TaggedBadgeSkill",
]
