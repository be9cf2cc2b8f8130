from .credly import CredlyBadgeTemplate, CredlySyncLock, CredlySyncRun
from .guides import GuideStepBlock, StepGuide
from .issuers import BadgeIssuer
from .pages import BadgeIndexPage, BadgePage, BadgeSkill, TaggedBadgeSkill

__all__ = [
    "BadgeIndexPage",
    "BadgeIssuer",
    "BadgePage",
    "BadgeSkill",
    "CredlyBadgeTemplate",
    "CredlySyncLock",
    "CredlySyncRun",
    "GuideStepBlock",
    "StepGuide",
    "TaggedBadgeSkill",
]
